"""Reading input files from an untrusted repository.

A product file, a policy file, a template override or `meshgen.yaml` may be a symlink or a
special file planted by whoever wrote the pull request. Every input is read here, so that:
- a file whose real path lies outside the mesh root (a symlink to `/etc/passwd`, to
  `/proc/self/environ`, ...) is refused before it is opened;
- only regular files are read: it is opened non-blocking (a FIFO cannot hang the build) and
  checked with fstat before a byte is read (a device such as `/dev/zero` is never read);
- at most `limit + 1` bytes are read, so a huge file costs no more than the limit;
- the diagnostics of a refused file carry no content of it. Human reports print source lines
  only from files accepted here, and only while they are the same file (`accepted_text`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from meshgen.diagnostics import Diagnostic, Location, Severity, accept_source, accepted_text

__all__ = ["MAX_FILE_BYTES", "REFUSED_INPUT_CODES", "accepted_text", "check_inside", "read_bytes", "real_path", "within"]
from meshgen.errors import InputError

MAX_FILE_BYTES = 8 * 1024 * 1024

# Kernel views: their "files" are regular to stat but are the process's environment, memory...
_SYSTEM_TREES = (Path("/proc"), Path("/sys"), Path("/dev"))

# Refusals of a hostile input (outside the mesh, not a regular file): errors wherever they are found.
REFUSED_INPUT_CODES = ("LOAD010", "LOAD011")



def _refuse(code: str, shown: str, message: str, hint: str) -> InputError:
    # Line 1, column 1 names the file; a refused file's content is never shown (see module doc).
    return InputError(message, [Diagnostic(code, Severity.ERROR, message, Location(shown, 1, 1), hint)])


def within(real: Path | str, root: Path | str) -> bool:
    """Whether `real` is `root` or inside it; both absolute and normalized (realpath's), so
    comparing their text is exact, and cheaper than walking Path.parents for every file read."""
    inner, outer = str(real), str(root)
    return inner == outer or inner.startswith(outer if outer.endswith("/") else outer + "/")


def real_path(path: Path, shown: str) -> Path:
    """The path with every symlink resolved; a loop or an unreadable link is a diagnostic."""
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        if os.path.islink(path):
            raise _refuse("LOAD010", shown, f"{shown} is a symlink to a file that does not exist",
                          "fix or remove the symlink") from None
        raise _refuse("LOAD007", shown, f"file not found: {shown}", "check the path") from None
    except OSError as exc:  # ELOOP, EACCES on a folder on the way
        what = "a symlink loop" if exc.errno == 40 else (exc.strerror or str(exc))
        raise _refuse("LOAD010", shown, f"cannot resolve {shown}: {what}",
                      "fix the symlink so it points at a file inside the mesh") from None


def checkwithin(path: Path, shown: str, root: Path | None) -> Path:
    """The real path of `path`, refused when it leaves `root` or lies in a kernel tree."""
    real = real_path(path, shown)
    for tree in _SYSTEM_TREES:
        if within(real, tree):
            raise _refuse("LOAD010", shown, f"{shown} resolves into {tree}, which meshgen never reads",
                          "inputs must be ordinary files of the repository")
    if root is not None:
        real_root = Path(os.path.realpath(root))
        if not within(real, real_root):
            raise _refuse("LOAD010", shown, f"{shown} is a symlink that leads outside the mesh root",
                          f"inputs must stay inside {root}; copy the file into the mesh instead of linking it")
    return real


def read_bytes(path: Path | str, shown: str, *, root: Path | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file inside `root` (when given), at most `limit` of them; else InputError."""
    path = Path(path)
    real = checkwithin(path, shown, root)
    if real.is_dir():
        raise _refuse("LOAD007", shown, f"expected a file, found a directory: {shown}",
                      "pass the path of a dataproduct.yaml file, or of a mesh folder to a command that takes one")
    # Non-blocking: opening a FIFO must not wait for a writer. No-follow: the path was just resolved.
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise _refuse("LOAD007", shown, f"cannot read {shown}: {exc.strerror or exc}",
                      "check the file's permissions") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse("LOAD011", shown, f"{shown} is not a regular file ({_kind(info.st_mode)})",
                          "inputs must be ordinary files; a FIFO, device or socket is never read")
        if info.st_size > limit:
            raise _too_large(shown, info.st_size, limit)
        data = _read_at_most(fd, limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _too_large(shown, len(data), limit)
    accept_source(shown, info)
    return data


def _read_at_most(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _too_large(shown: str, size: int, limit: int) -> InputError:
    # `size` is what stat said, or limit + 1 when only reading found out (the file grew, or lies)
    said = f"more than {limit}" if size == limit + 1 else str(size)
    return _refuse("LOAD009", shown, f"{shown} is {said} bytes; the limit is {limit}",
                   "split the product, or check that this is the right file")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "a special file"
