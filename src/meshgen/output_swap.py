"""Putting a new output tree in place with nothing lost, whatever kills the build.

Beside the output folder `out` live (all hidden, named after it):
- `.out.lock`       held with flock by the one build that writes `out`; it holds that build's pid;
- `.out.staging-*`  a new tree being written (a marker file says it is ours until it is complete);
- `.out.previous`   only with the two-rename fallback: the old tree between the two renames.

The swap exchanges the staged tree and `out` in one step with Linux's renameat2(RENAME_EXCHANGE),
so there is no moment without an output folder. Where that call is missing (another OS, a file
system without it), the fallback renames `out` to `.out.previous` and the staged tree to `out`;
a kill between the two leaves `.out.previous`, which the next build renames back. Every build
first recovers or removes what a killed build left (`recover_leftovers`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path

from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
from meshgen.errors import OutputError

STAGING_MARKER = ".meshgen-staging"
_MANIFEST = "meshgen-manifest.json"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def crash_point(name: str) -> None:
    """Tests kill a real build here: MESHGEN_TEST_KILL_AT=<name> sends SIGKILL to this process."""
    if os.environ.get("MESHGEN_TEST_KILL_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _beside(out: Path, suffix: str) -> Path:
    return out.parent / f".{out.name}.{suffix}"


class OutputLock:
    """An exclusive flock on `.out.lock`; a second build fails at once, naming the first one's pid."""

    def __init__(self, out: Path):
        self.out = out
        self.path = _beside(out, "lock")
        self.fd: int | None = None

    def __enter__(self) -> "OutputLock":
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            shown = display_path(self.out)
            raise OutputError(f"another build is writing {shown}", [Diagnostic(
                "OUT005", Severity.ERROR, f"another meshgen build (pid {holder}) is writing {shown}",
                Location(shown), f"wait for it to finish, or build into another folder with -o "
                                 f"(the lock is {display_path(self.path)})")]) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing releases the flock; the file stays (deleting it would race)
            self.fd = None


def stage_dir(out: Path) -> Path:
    """A new, empty staging folder beside `out`, marked as meshgen's until it is complete."""
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private; the output is an ordinary folder
    (stage / STAGING_MARKER).write_bytes(b"")
    return stage


def recover_leftovers(out: Path) -> None:
    """Undo what a killed build left beside `out` (call with the lock held)."""
    previous = _beside(out, "previous")
    if previous.is_dir() and not previous.is_symlink():
        if not os.path.lexists(out):
            os.rename(previous, out)  # killed between the fallback's two renames: the old tree returns
        else:
            shutil.rmtree(previous)
    for leftover in sorted(out.parent.glob(f".{out.name}.staging-*")) + sorted(out.parent.glob(f".{out.name}.previous-*")):
        if leftover.is_symlink() or not leftover.is_dir():
            continue
        # Only folders meshgen made: a staging marker, or a whole tree with its manifest.
        if (leftover / STAGING_MARKER).is_file() or (leftover / _MANIFEST).is_file() or not any(leftover.iterdir()):
            remove_tree(leftover)


def remove_tree(tree: Path) -> None:
    """Delete a tree meshgen made, its marks (the staging marker, the manifest) last: a build killed
    half way through deleting it leaves a folder recover_leftovers still knows as meshgen's."""
    marks = (STAGING_MARKER, _MANIFEST)
    for entry in sorted(tree.iterdir()):
        if entry.name in marks:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    shutil.rmtree(tree)


def has_leftovers(out: Path) -> bool:
    """Whether a killed build left something beside `out` that recover_leftovers would handle."""
    return os.path.lexists(_beside(out, "previous")) or any(
        True for pattern in ("staging-*", "previous-*") for _ in out.parent.glob(f".{out.name}.{pattern}"))


def swap_in(stage: Path, out: Path) -> None:
    """Make the complete tree in `stage` the content of `out`, and remove the old tree."""
    (stage / STAGING_MARKER).unlink()
    crash_point("staged")
    if not os.path.lexists(out):
        os.rename(stage, out)
        return
    if _exchange(stage, out):
        crash_point("exchanged")
        remove_tree(stage)  # now the old tree
        return
    previous = _beside(out, "previous")
    os.rename(out, previous)
    crash_point("between-renames")
    try:
        os.rename(stage, out)
    except BaseException:
        os.rename(previous, out)
        raise
    crash_point("renamed")
    shutil.rmtree(previous)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where it is unavailable."""
    if os.environ.get("MESHGEN_TEST_SWAP") == "rename":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def read_inside(folder: Path, rel: str) -> bytes | None:
    """The bytes of regular file `rel` under `folder`, following no symlink on the way; None otherwise."""
    import stat

    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(folder, flags | os.O_DIRECTORY)
    try:
        parts = rel.split("/")
        for part in parts[:-1]:
            nxt = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        leaf = os.open(parts[-1], flags, dir_fd=fd)
    finally:
        os.close(fd)
    try:
        if not stat.S_ISREG(os.fstat(leaf).st_mode):
            return None
        chunks = []
        while chunk := os.read(leaf, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(leaf)
