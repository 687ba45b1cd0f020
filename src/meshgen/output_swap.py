"""Putting a new output tree in place with nothing lost, whatever kills the build.

Beside the output folder `out` live (all hidden, named after it):
- `.out.lock`       held with flock by the one build that writes `out`; it holds that build's pid;
- `.out.staging-*`  a new tree being written (a marker file says it is ours until it is complete);
- `.out.previous`   left by an older meshgen's whole-tree swap, killed between its two renames:
                    put back.

A build's staging folder holds the folders of the units it ran (and `_mesh/index.json`). Into a
new output, it becomes the output in one rename. Into an existing one (`commit_stage`), the new
manifest and the list of places to replace (`.meshgen-commit`) are written first, the marker
goes, then each place (a unit's folder) is exchanged with the output's in one step (Linux's
renameat2(RENAME_EXCHANGE); where that is missing, two renames, the old folder moved aside
first), each unit folder that has no source any more is moved out, and the manifest replaces the
old one last. A kill leaves every unit's folder wholly old or wholly new; the next build finds the
staging folder with its commit list and rolls it forward, place by place, skipping the ones
already holding the new files (`recover_leftovers`).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
from meshgen.errors import OutputError

STAGING_MARKER = ".meshgen-staging"
COMMIT_LIST = ".meshgen-commit"  # in a complete staging folder being put in place unit by unit
_OLD = ".meshgen-old"  # in it: what the rename fallback and removed units moved out of the output
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
        if _committing(leftover) and os.path.isdir(out) and not os.path.islink(out):
            _roll_forward_leftover(leftover, out)  # killed while putting units in place: finish
            continue
        # Only folders meshgen made: a staging marker, a commit list, or a whole tree with its manifest.
        if (leftover / STAGING_MARKER).is_file() or (leftover / _MANIFEST).is_file() \
                or (leftover / COMMIT_LIST).is_file() or not any(leftover.iterdir()):
            remove_tree(leftover)


def _committing(stage: Path) -> bool:
    """A complete staging folder whose places were being put in place (its manifest not yet moved)."""
    return (not (stage / STAGING_MARKER).exists() and (stage / COMMIT_LIST).is_file()
            and (stage / _MANIFEST).is_file() and not (stage / _MANIFEST).is_symlink())


def _roll_forward_leftover(stage: Path, out: Path) -> None:
    new = _manifest_files(stage)
    try:
        places = json.loads((stage / COMMIT_LIST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        places = None
    if new is None or not isinstance(places, list) or not all(isinstance(p, str) and _plain(p) for p in places):
        (stage / COMMIT_LIST).unlink()  # first: a half-removed folder must never be rolled forward
        remove_tree(stage)
        return
    _roll_forward(stage, out, places, new, _manifest_files(out) or {}, check=True)


def _plain(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\\" not in rel and all(p not in ("", ".", "..") for p in parts)


def _manifest_files(folder: Path) -> dict[str, str] | None:
    try:
        files = json.loads((read_inside(folder, _MANIFEST) or b"").decode("utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else None


def commit_stage(stage: Path, out: Path, places: list[str], new: dict[str, str], old: dict[str, str]) -> None:
    """Put the complete staging folder, its manifest written (listing `new`; `old` is the previous
    one's files), in place: as the output when there is none, else place by place (`places`: the
    folders and files it replaces or removes), the manifest last."""
    if not os.path.lexists(out):
        (stage / STAGING_MARKER).unlink()
        crash_point("staged")
        os.rename(stage, out)
        return
    (stage / COMMIT_LIST).write_text(json.dumps(places), encoding="utf-8")
    (stage / STAGING_MARKER).unlink()
    crash_point("staged")
    _roll_forward(stage, out, places, new, old, check=False)


def _roll_forward(stage: Path, out: Path, places: list[str], new: dict[str, str], old: dict[str, str],
                  check: bool) -> None:
    """Each place gets the staged content (a place already holding the new files is skipped when
    `check`: a killed build's commit is finished by the next), then the manifest; the staging
    folder, now holding the old folders, is removed."""
    wanted = _by_place(new, set(places)) if check else {}
    for n, place in enumerate(places):
        if check and _digests_at(out, place) == wanted.get(place, {}):
            continue
        _put_in_place(stage, out, place)
        if n == 0:
            crash_point("unit-swapped")
    crash_point("units-swapped")
    os.replace(stage / _MANIFEST, out / _MANIFEST)
    crash_point("manifest")
    remove_tree(stage)


def _by_place(files: dict[str, str], places: set[str]) -> dict[str, dict[str, str]]:
    """The files (path → digest) under each place."""
    found: dict[str, dict[str, str]] = {}
    for rel, digest in files.items():
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):
            if (place := "/".join(parts[:i])) in places:
                found.setdefault(place, {})[rel] = digest
                break
    return found


def _put_in_place(stage: Path, out: Path, place: str) -> None:
    """out/place becomes stage/place (or goes, when nothing is staged there) in one step; the old
    one is left in the staging folder."""
    src, dst = stage / place, out / place
    _check_folders(out, place)
    if not os.path.lexists(src):
        if os.path.lexists(dst):
            os.rename(dst, _aside(stage, place))
            _prune(out, place)
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not os.path.lexists(dst):
        os.rename(src, dst)
    elif not _exchange(src, dst):
        os.rename(dst, _aside(stage, place))
        crash_point("between-renames")
        os.rename(src, dst)


def _aside(stage: Path, place: str) -> Path:
    path = stage / _OLD / place
    if os.path.lexists(path):
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _check_folders(out: Path, place: str) -> None:
    """Every folder on the way to `place` inside `out` is a real folder (or not there yet): a
    symlink planted in the output must not carry a rename outside it."""
    import stat

    here = out
    for part in place.split("/")[:-1]:
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(mode):
            shown = display_path(out)
            raise OutputError(f"{shown}/{place} is under a link or a file", [Diagnostic(
                "OUT003", Severity.ERROR, f"{shown}/{here.relative_to(out).as_posix()} is not a folder meshgen wrote",
                Location(shown), "remove it, or build into an empty folder")])


def _prune(out: Path, rel: str) -> None:
    """Remove the folders above `rel` that it left empty (a clean build would not have them)."""
    parts = rel.split("/")[:-1]
    while parts:
        try:
            os.rmdir(out.joinpath(*parts))
        except OSError:
            return
        parts.pop()


def link_inside(out: Path, rel: str, dest: Path) -> None:
    """Give `dest` (in a staging folder) the file `rel` of the output: a hard link (no bytes
    copied), or a copy where links are refused; no symlink is followed on the way, and a link
    that is not a regular file is refused (OUT003)."""
    import stat

    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, flags)
    try:
        for part in rel.split("/")[:-1]:
            nxt = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = nxt
        try:
            os.link(rel.rsplit("/", 1)[-1], dest, src_dir_fd=fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            data = read_inside(out, rel)
            if data is not None:
                dest.write_bytes(data)
    finally:
        os.close(fd)
    if not os.path.lexists(dest) or not stat.S_ISREG(os.lstat(dest).st_mode):
        if os.path.lexists(dest):
            dest.unlink()
        shown = display_path(out)
        raise OutputError(f"{shown}/{rel} changed during the build", [Diagnostic(
            "OUT003", Severity.ERROR, f"{shown}/{rel} is not the regular file the last build wrote", Location(shown),
            "build again; do not change the output folder while a build writes it")])


def _digests_at(out: Path, place: str) -> dict[str, str]:
    """sha256 of each file at or under out/place (no symlink followed: one counts as unreadable)."""
    found: dict[str, str] = {}
    path = out / place
    if not os.path.lexists(path):
        return found
    if path.is_symlink() or not path.is_dir():
        names = [place]
    else:
        names = []
        for dirpath, dirnames, filenames in os.walk(path):
            here = Path(dirpath)
            names += [(here / n).relative_to(out).as_posix()
                      for n in filenames + [d for d in dirnames if (here / d).is_symlink()]]
    for rel in names:
        try:
            data = read_inside(out, rel)
        except OSError:
            data = None
        found[rel] = hashlib.sha256(data).hexdigest() if data is not None else ""
    return found


def remove_tree(tree: Path) -> None:
    """Delete a tree meshgen made, its marks (the staging marker, the manifest) last: a build killed
    half way through deleting it leaves a folder recover_leftovers still knows as meshgen's."""
    marks = (STAGING_MARKER, _MANIFEST, COMMIT_LIST)
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
