"""Artifacts → files, atomically.

A build's files are written to a staging folder beside the output as its units finish
(`StagedOutput`: only their digests stay in memory), then put in place: into a new output folder
in one rename, into an existing one unit folder by unit folder, the manifest last
(output_swap.commit_stage), so a failed build leaves the previous output untouched and a killed
one leaves each unit's folder wholly old or wholly new. A folder that meshgen did not write (no
manifest, or files the manifest does not list) is never overwritten: nothing is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator

from meshgen import __version__
from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
from meshgen.errors import OutputError

MANIFEST = "meshgen-manifest.json"


@dataclass(frozen=True)
class Artifact:
    """One generated file: a path relative to its target's folder, and its text."""

    path: str
    content: str


# Unicode's control characters (category Cc): U+0000-U+001F and U+007F-U+009F
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def safe_relpath(rel: str) -> PurePosixPath:
    """A relative path that stays inside the output folder, or OutputError."""
    return PurePosixPath(plain_relpath(rel))


def plain_relpath(rel: str) -> str:
    """`rel` when it is a plain relative path inside the output folder (no pathlib: a build checks
    every file's), or OutputError."""
    parts = rel.split("/")
    bad = (
        not rel or rel.startswith("/") or "\\" in rel or any(part in ("", ".", "..") for part in parts)
        or _CONTROL.search(rel) is not None or ":" in parts[0]
    )
    if bad:
        raise OutputError(f"refusing to write {rel!r}: it would leave the output folder", [Diagnostic(
            "OUT002", Severity.ERROR, f"generated path {rel!r} is not a plain relative path", Location(rel),
            "this is a bug in a target or a template override: paths must not contain '..', '/' at the start, "
            "'\\' or control characters")])
    return rel


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def beside_digest(path: Path) -> str:
    """sha256 of a regular file outside the output that a unit depends on; "" for none (a
    symlink or a special file counts as none: the unit reruns and reports it)."""
    import stat

    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return ""
        return _digest(Path(path).read_bytes())
    except OSError:
        return ""


def read_manifest(out: Path) -> dict[str, str] | None:
    """The previous build's manifest (untrusted: a regular file, no symlink followed), or None."""
    read = _read_manifest_document(out)
    return None if read is None else _manifest_file_digests(read[1])


def _read_manifest_document(out: Path) -> tuple[bytes, Any] | None:
    """The manifest's bytes and its JSON document (untrusted), or None when there is none that parses."""
    from meshgen.output_swap import read_inside

    try:
        raw = read_inside(out, MANIFEST)
        return None if raw is None else (raw, json.loads(raw.decode("utf-8")))
    except (OSError, ValueError):
        return None


def _manifest_file_digests(document: Any) -> dict[str, str] | None:
    try:
        return {str(k): str(v) for k, v in document["files"].items()}
    except (KeyError, TypeError, AttributeError):
        return None


def read_manifest_units(out: Path) -> dict[str, dict]:
    """The units the previous build recorded (see meshgen.planner), or {} when there are none."""
    from meshgen.output_swap import read_inside

    try:
        units = json.loads((read_inside(out, MANIFEST) or b"").decode("utf-8")).get("units", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return units if isinstance(units, dict) else {}


def existing_files(out: Path) -> set[str]:
    """Every file and symlink under `out`; a symlinked folder is listed, never walked (a folder
    that cannot be read is skipped, as os.walk does)."""
    found = set()
    folders = [("", os.fspath(out))]
    while folders:
        prefix, path = folders.pop()
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((prefix + entry.name + "/", entry.path))
                    else:
                        found.add(prefix + entry.name)
        except OSError:
            continue
    return found


def _refuse_output(out: Path, message: str, hint: str, code: str = "OUT001") -> OutputError:
    shown = display_path(out)
    return OutputError(message.format(out=shown), [Diagnostic(
        code, Severity.ERROR, message.format(out=shown), Location(shown), hint)])


def check_output_path(out: Path) -> None:
    """Refuse an output path that meshgen must never replace: a symlink, a special file, `/`."""
    if out.is_symlink():
        raise _refuse_output(out, "output path {out} is a symlink; meshgen never replaces one",
                             "pass the folder it points to with -o, or remove the link")
    if os.path.abspath(out) == os.path.abspath(os.sep) or not out.name or out.name in (".", ".."):
        raise _refuse_output(out, "output path {out} cannot be an output folder",
                             "name a folder of its own with -o, e.g. -o build")
    if out.exists() and not out.is_dir():
        raise _refuse_output(out, "output path {out} exists and is not a folder", "choose another output with -o")


def write_tree(out: Path, files: dict[str, str | bytes], keep_from_previous: bool = False,
               replace_prefixes: tuple[str, ...] = (), units: dict[str, dict] | None = None,
               extra: dict | None = None) -> list[str]:
    """Write `files` (relative path → text or bytes) as the new content of `out`, all at once (the
    docs site's project; a build writes unit by unit through StagedOutput).

    With `keep_from_previous`, files of the previous build outside `replace_prefixes` stay (the
    docs site inside a build's output keeps the build's files). `units`, when given, is recorded
    in the manifest as it is, and so are the keys of `extra`. Each top-level entry of `out` that
    changes is replaced in one step; returns the paths of the tree.
    """
    with StagedOutput(out) as staged:
        digests = staged.write(files)
        return staged.commit(dict(digests), set(digests), _top_entry, units=units, extra=extra,
                             keep_from_previous=keep_from_previous, replace_prefixes=replace_prefixes)


def _top_entry(rel: str) -> str:
    return rel.split("/", 1)[0]


class StagedOutput:
    """The new output of a build, written while the build runs. Entering takes the lock beside
    `out` (one build at a time), recovers what a killed build left, reads the previous manifest
    (OUT001 for a folder meshgen did not write) and makes the staging folder; `write` puts one
    unit's files there (a --jobs worker calls it for its own units) and returns their digests;
    `commit` puts the staged folders in place (output_swap.commit_stage). Leaving without a
    commit removes the staging folder: the previous output is untouched."""

    def __init__(self, out: Path, walk: Callable[[Path], Any] | None = None):
        self.out = Path(out)
        # `walk(out)`: what the output holds, as one walk finds it (its `digests`: every entry that is
        # not a folder); the build's reuse checks take that same walk (`walked`), not a second one
        self.walk, self.walked = walk, None
        self.stage: Path | None = None
        self.previous: dict[str, str] = {}  # the previous manifest's files (path → sha256)
        self.previous_digest: str | None = None  # sha256 of the previous manifest's bytes
        # the previous manifest as read (bytes, JSON document) until the build takes it (take_previous):
        # read and parsed once per build
        self._previous_read: tuple[bytes, Any] | None = None
        self._made: set[str] = {""}  # folders of the staging folder this process made
        self._lock = None

    def __enter__(self) -> "StagedOutput":
        from meshgen.output_swap import OutputLock, recover_leftovers, stage_dir

        check_output_path(self.out)
        with _writing(self.out):
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._lock = OutputLock(self.out).__enter__()
            try:
                recover_leftovers(self.out)
                self._previous_read = _previous_manifest(self.out, self._entries)
                if self._previous_read is not None:
                    self.previous = _manifest_file_digests(self._previous_read[1]) or {}
                    self.previous_digest = _digest(self._previous_read[0])
                self.stage = stage_dir(self.out)
            except BaseException:
                self._lock.__exit__()
                raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.stage is not None:
                shutil.rmtree(self.stage, ignore_errors=True)
        finally:
            self._lock.__exit__()

    def write(self, files: dict[str, str | bytes]) -> dict[str, str]:
        """Write files (path inside the output → text or bytes) to the staging folder; their sha256.
        A file the output already holds, with those bytes, as the previous manifest lists it, is
        not written (a unit run again that wrote the same: its product's folder need not change)."""
        digests: dict[str, str] = {}
        stage = os.fspath(self.stage)
        with _writing(self.out):
            for rel, data in encoded_files(files).items():
                digests[rel] = digest = _digest(data)
                if self.previous.get(rel) == digest and _holds(self.out, rel, digest):
                    continue
                self._make_folder(rel.rpartition("/")[0])
                _write_new_file(os.path.join(stage, rel), data)
        return digests

    def _entries(self) -> set[str]:
        """Every entry of the output but its folders (existing_files), from the build's one walk when it has one."""
        if self.walk is None:
            return existing_files(self.out)
        self.walked = self.walk(self.out)
        return set(self.walked.digests)

    def take_previous(self) -> tuple[bytes, Any] | None:
        """The previous manifest's bytes and JSON document (untrusted), once: the build's record of
        the previous units (meshgen.incremental.previous_build) is made from them, not read again."""
        read, self._previous_read = self._previous_read, None
        return read

    def _make_folder(self, folder: str) -> None:
        """`folder` of the staging folder and its parents, each made once by this process (a --jobs
        worker may find one its sibling made): one mkdir a folder, none failing on the way."""
        if folder in self._made:
            return
        self._make_folder(folder.rpartition("/")[0])
        try:
            os.mkdir(os.path.join(os.fspath(self.stage), folder))
        except FileExistsError:
            pass
        self._made.add(folder)

    def commit(self, files: dict[str, str], changed: set[str], place_of: Callable[[str], str],
               units: dict[str, dict] | None = None, extra: dict | None = None, keep_from_previous: bool = False,
               replace_prefixes: tuple[str, ...] = ()) -> list[str]:
        """Make the output the tree `files` (path → sha256), place by place: `place_of(path)` names
        the folder a file belongs to that is replaced as a whole (a product's, the mesh units');
        the places of the `changed` files (staged by `write`) and of every previous file the tree
        no longer has are replaced, the files of the tree in them that were not staged are linked
        from the output into the staging folder first (they must be intact: reused units). Every
        other file stays as it is. With `keep_from_previous`, the previous files outside
        `replace_prefixes` are part of the tree (checked: OUT003). The manifest records `files`,
        `units` and `extra`'s keys."""
        from meshgen.output_swap import commit_stage, link_inside

        # a file `write` left out, the output holding it already, changes nothing
        changed = {rel for rel in changed if self.previous.get(rel) != files[rel] or os.path.lexists(self.stage / rel)}
        self._previous_read = None
        with _writing(self.out):
            if keep_from_previous and self.previous:
                _keep_previous_digests(self.out, self.previous, files, replace_prefixes)
            # streamed to the staging folder: the manifest of a big mesh is never one text in memory
            manifest_digest = write_manifest(self.stage / MANIFEST, files, units, extra)
            gone = {rel for rel in self.previous if rel not in files and _plain(rel)}
            places = sorted({place_of(rel) for rel in changed | gone})
            if not places and manifest_digest == self.previous_digest:
                return sorted(files)  # nothing changed: nothing is written
            if self.previous or os.path.lexists(self.out):
                chosen = set(places)
                for rel in sorted(files):
                    if rel not in changed and place_of(rel) in chosen:
                        link_inside(self.out, rel, self.stage / rel)
            commit_stage(self.stage, self.out, places, files, self.previous)
            self.stage = None
        return sorted(files)


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _write_new_file(path: str, data: bytes) -> None:
    """`data` as the file `path` of the staging folder: three system calls, without the file
    object and the path object that `Path.write_bytes` makes for each of a build's ~32 files a
    product."""
    fd = os.open(path, _NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class _writing:
    """OSError while writing the output → OUT004 (the previous output is untouched)."""

    def __init__(self, out: Path):
        self.out = out

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, OSError):
            raise _refuse_output(self.out, f"cannot write output folder {{out}}: {exc.strerror or exc}",
                                 "check that the folder and its parent are writable and the disk has space",
                                 "OUT004") from None
        return False


def _holds(out: Path, rel: str, digest: str) -> bool:
    """Whether `out` holds regular file `rel` with that sha256 (no symlink followed)."""
    data = read_inside_or_none(out, rel)
    return data is not None and _digest(data) == digest


def read_inside_or_none(out: Path, rel: str) -> bytes | None:
    from meshgen.output_swap import read_inside

    try:
        return read_inside(out, rel)
    except OSError:
        return None


def _plain(rel: str) -> bool:
    """A previous manifest's path that is a plain relative path (it is untrusted: others are left alone)."""
    try:
        plain_relpath(rel)
    except OutputError:
        return False
    return rel != MANIFEST


def _keep_previous_digests(out: Path, previous: dict[str, str], files: dict[str, str],
                           replace_prefixes: tuple[str, ...]) -> None:
    """A partial build keeps the other units' files: each must still be what the manifest says
    (read, never followed through a symlink, never held) or the build stops (OUT003)."""
    for rel, digest in previous.items():
        if rel in files or any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in replace_prefixes):
            continue
        try:
            safe_relpath(rel)
            data = read_inside_or_none(out, rel)
        except OutputError:
            data = None
        if data is None or _digest(data) != digest:
            raise _changed_previous(out, rel)
        files[rel] = digest


def _changed_previous(out: Path, rel: str) -> OutputError:
    return _refuse_output(
        out, f"{{out}}/{rel} is not the file the last build wrote (changed, replaced by a link, or "
             "a path that leaves the folder)",
        "run a full build (without a product path) to regenerate the whole output folder", "OUT003")


def encoded_files(files: dict[str, str | bytes]) -> dict[str, bytes]:
    """Checked relative paths → bytes (bytes are written as they are: the docs site's images)."""
    encoded = {plain_relpath(rel): text.encode("utf-8") if isinstance(text, str) else bytes(text)
               for rel, text in files.items()}
    if MANIFEST in encoded:
        raise OutputError("a target tried to write the manifest", [])
    return encoded


def manifest_chunks(digests: dict[str, str], units: dict[str, dict] | None, extra: dict | None) -> Iterator[str]:
    """The manifest of a tree, piece by piece: every file's sha256 (`digests`), the units (when
    given) and `extra`'s keys; one line a file and a unit (indenting the units' records doubled
    its size)."""
    members: dict[str, Iterable[str]] = {
        k: (_compact(v),) for k, v in {**(extra or {}), "generator": f"meshgen {__version__}"}.items()}
    members["files"] = _object_lines(digests)
    if units is not None:
        members["units"] = _object_lines(units)
    for n, key in enumerate(sorted(members)):
        yield ("{\n" if n == 0 else ",\n") + _compact(key) + ": "
        yield from members[key]
    yield "\n}\n"


def write_manifest(path: Path, digests: dict[str, str], units: dict[str, dict] | None, extra: dict | None,
                   ) -> str:
    """Write the manifest (manifest_chunks) to `path` a megabyte or so at a time; its sha256."""
    h = hashlib.sha256()
    with open(path, "wb") as fh:
        for data in _batched_utf8(manifest_chunks(digests, units, extra)):
            h.update(data)
            fh.write(data)
    return h.hexdigest()


def manifest_digest(digests: dict[str, str], units: dict[str, dict] | None, extra: dict | None) -> str:
    """sha256 of the manifest's bytes, computed as they are made (`meshgen build --check`)."""
    h = hashlib.sha256()
    for data in _batched_utf8(manifest_chunks(digests, units, extra)):
        h.update(data)
    return h.hexdigest()


def _batched_utf8(pieces: Iterable[str], size: int = 1 << 20) -> Iterator[bytes]:
    batch: list[str] = []
    held = 0
    for piece in pieces:
        batch.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(batch).encode("utf-8")
            batch, held = [], 0
    if batch:
        yield "".join(batch).encode("utf-8")


# json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False), without making an
# encoder for each of the manifest's ~50,000 keys and values at 1,000 products
_compact = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _object_lines(mapping: dict[str, Any]) -> Iterator[str]:
    """A JSON object with one member a line, each member's value compact."""
    if not mapping:
        yield "{}"
        return
    for n, key in enumerate(sorted(mapping)):
        yield ("{\n" if n == 0 else ",\n") + _compact(key) + ":" + _compact(mapping[key])
    yield "\n}"


@dataclass
class TreeDifference:
    """How an output folder differs from the tree a build would write (`meshgen build --check`)."""

    stale: list[str]  # present, with other bytes (or not a regular file)
    missing: list[str]
    extra: list[str]  # present, and the build would not write them

    @property
    def up_to_date(self) -> bool:
        return not (self.stale or self.missing or self.extra)


def compare_tree(out: Path, expected: dict[str, str], within: tuple[str, ...] | None = None) -> TreeDifference:
    """Compare `out` with `expected` (path → sha256, the manifest included), reading nothing
    through a symlink. With `within`, only those paths and the paths under them count (a partial build)."""
    from meshgen.output_swap import read_inside

    def counts(rel: str) -> bool:
        return within is None or any(rel == p or rel.startswith(p + "/") for p in within)

    present = {rel for rel in (existing_files(out) if out.is_dir() and not out.is_symlink() else set()) if counts(rel)}
    stale = []
    for rel in sorted(set(expected) & present):
        try:
            data = read_inside(out, rel)
            same = data is not None and _digest(data) == expected[rel]
        except OSError:
            same = False
        if not same:
            stale.append(rel)
    return TreeDifference(stale, sorted(set(expected) - present), sorted(present - set(expected)))


def _previous_manifest(out: Path, entries: Callable[[], set[str]] | None = None) -> tuple[bytes, Any] | None:
    """The previous build's manifest (its bytes and document); OutputError when `out` holds files
    meshgen did not write (`entries()`: what it holds, default existing_files)."""
    if not out.exists():
        return None
    present = entries() if entries is not None else existing_files(out)
    read = _read_manifest_document(out)
    manifest = None if read is None else _manifest_file_digests(read[1])
    if manifest is None and present:
        raise _refuse_output(out, "output folder {out} is not empty and was not written by meshgen",
                             "choose an empty or new folder with -o, or empty this one")
    if manifest is None:
        return None
    foreign = sorted(present - set(manifest) - {MANIFEST})
    if foreign:
        raise _refuse_output(
            out, f"output folder {{out}} holds {len(foreign)} file(s) meshgen did not write, e.g. {foreign[0]}",
            "move them out of the output folder; meshgen replaces the folder's whole content")
    return read


def write_file_atomic(path: Path, text: str) -> None:
    """Write one file through a temporary file and a rename: readers see the old or the new file.

    A symlink or a special file (a device such as /dev/null, a FIFO) at `path` is never replaced.
    """
    import stat

    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _refuse_output(path, f"cannot write {{out}}: {exc.strerror or exc}", "check the path", "OUT004") from None
    if mode is not None and not stat.S_ISREG(mode):
        what = "a symlink" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise _refuse_output(path, f"{{out}} is {what}; meshgen writes only regular files and never replaces it",
                             "name a new or regular file, or print to stdout and redirect with the shell")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise _refuse_output(path, f"cannot write {{out}}: {exc.strerror or exc}",
                             "check that the folder is writable", "OUT004") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _refuse_output(path, f"cannot write {{out}}: {exc.strerror or exc}",
                             "check that the disk has space and the folder is writable", "OUT004") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# The codes this module reports (meshgen.reporting.codes collects every component's).
def _code_families():
    from meshgen.diagnostics import CodeFamily, DiagnosticCode

    return (CodeFamily("OUT", "The output folder is safe to write.", "docs/diagnostics.md", (
        DiagnosticCode("OUT001", "error (exit 2)", "the output folder exists and meshgen did not write it, or holds "
                                                   "files meshgen did not write, or the output path is a symlink, a "
                                                   "device or another special file, or `/`; nothing is touched"),
        DiagnosticCode("OUT002", "error (exit 2)", "a generated path would leave the output folder (a bug in a "
                                                   "target or an override)"),
        DiagnosticCode("OUT003", "error (exit 2)", "a partial build found a file of the previous output changed, "
                                                   "replaced by a symlink, or listed in its manifest under a path "
                                                   "that leaves the folder; nothing from it is read (run a full build)"),
        DiagnosticCode("OUT004", "error (exit 2)", "the output folder or file cannot be written (permissions, no "
                                                   "space left); the previous output is untouched"),
        # OUT005 is reported by output_swap.py, the lock beside the output folder
        DiagnosticCode("OUT005", "error (exit 2)", "another meshgen build holds the lock beside this output folder; "
                                                   "the message names its pid"),
    ), configurable=False),)


CODE_FAMILIES = _code_families()
