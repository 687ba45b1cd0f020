"""Incremental builds: the units of a plan whose files the previous output already holds.

The previous build's manifest records, per unit, the hashes of what it read (meshgen.planner:
its product files or the mesh digest, its configuration, the meshgen version and its code digest, the templates it
rendered, files beside the products such as a Protobuf lock) and the files it wrote. A unit is
reused when every one of those hashes is still the same and each of its files in the previous
tree is still the bytes the manifest lists. The previous tree is untrusted input: paths are
checked, no symlink is followed, and a file that differs makes the unit run again (which also
repairs it). A reused unit's diagnostics come back from the manifest, so an incremental build
reports exactly what a clean one does.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.errors import OutputError
from meshgen.output import MANIFEST, beside_digest, safe_relpath
from meshgen.output_swap import read_inside

# The inputs known before a unit runs; the templates and the files beside are checked apart.
PLANNED_INPUTS = ("config", "facts", "mesh", "meshgen", "specs")


@dataclass
class PreviousBuild:
    out: Path
    files: dict[str, str]  # path inside the output → sha256, as the previous manifest lists them
    units: dict[str, dict]  # unit key → its manifest entry
    manifest: bytes  # the manifest's bytes: an unchanged build need not write anything
    found: "OutputFiles | None" = None  # what the output holds, walked once on first use

    def holds(self) -> "OutputFiles":
        """What the output folder holds now (one walk, for every unit's check)."""
        if self.found is None:
            self.found = output_files(self.out)
        return self.found


def previous_build(out: Path, read: tuple[bytes, Any] | None = None) -> PreviousBuild | None:
    """The previous build's manifest, or None when there is none meshgen could use. `read`: its
    bytes and JSON document, when the build's StagedOutput read them already (parsed once)."""
    try:
        raw = read[0] if read is not None else read_inside(out, MANIFEST)
    except OSError:
        return None
    try:
        doc = read[1] if read is not None else json.loads((raw or b"").decode("utf-8"))
        files = {str(k): str(v) for k, v in doc["files"].items()}
        units = doc.get("units", {})
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(units, dict):
        return None
    return PreviousBuild(out, files, {k: v for k, v in units.items() if isinstance(v, dict)}, raw)


def reusable_files(previous: PreviousBuild, key: str, folder: str, planned: dict[str, Any],
                   template_digest: Callable[[str], str | None], root: Path) -> dict[str, str] | None:
    """The previous files of unit `key` (path → sha256) when nothing it read changed and they are
    intact; else None."""
    entry = previous.units.get(key)
    if entry is None or entry.get("folder") != folder:
        return None
    inputs = entry.get("inputs")
    if not isinstance(inputs, dict) or any(inputs.get(k) != planned.get(k) for k in PLANNED_INPUTS):
        return None
    templates, beside = inputs.get("templates", {}), inputs.get("beside", {})
    if not isinstance(templates, dict) or not isinstance(beside, dict):
        return None
    if any(template_digest(name) != digest for name, digest in templates.items()):
        return None
    try:
        if any(beside_digest(root / safe_relpath(rel)) != digest for rel, digest in beside.items()):
            return None
        return _intact_files(previous, entry.get("files"), folder)
    except (OutputError, OSError, TypeError):
        return None


def _intact_files(previous: PreviousBuild, names: Any, folder: str | None) -> dict[str, str] | None:
    """The files `names` (each under `folder`; None: anywhere) with their sha256 when each is the
    bytes the manifest lists (as the output's walk found them: `output_files`)."""
    if not isinstance(names, list):
        return None
    found = previous.holds().digests
    files = {}
    for rel in names:
        if not isinstance(rel, str) or (folder is not None and not rel.startswith(folder + "/")) \
                or rel not in previous.files:
            return None
        if found.get(rel) != previous.files[rel]:  # the walk's paths are plain: no `..`, no symlink
            return None
        files[rel] = previous.files[rel]
    return files


# ---- what the output holds: one walk, files read again only when their stat changed ---------
# After a build, this user's cache records every regular file of the output with its stat (size,
# mtime, ctime, inode) and sha256, one record per output folder. The next walk of the output reads
# again only the files whose stat differs from the record; any write to a file, and any change of
# its times, sets its ctime to the clock's time, which no user can set back. A file changed less
# than RACY_NS before a walk is not recorded (its times tick coarsely: a write in the same tick
# could leave them as they were), so the next walk reads it again.

TREE_RECORD = "tree"  # the signed_cache kind of these records
RACY_NS = 2_000_000_000


@dataclass
class OutputFiles:
    """Every entry of an output folder found by one walk: a regular file's sha256, None for
    anything else (a symlink, to a file or a folder, or a special file; never followed)."""

    digests: dict[str, str | None]
    stats: dict[str, list]  # regular files not changed lately: path → [size, mtime_ns, ctime_ns, inode, sha256]
    read: int = 0  # files read (their stat was not the recorded one)


def output_files(out: Path, known: dict | None = None, within: str = "") -> OutputFiles:
    """What `out` holds (only under its folder `within`, when given), each regular file read only
    when its stat is not the one recorded (`known`: path → stat and sha256; default: the record
    of the last walk)."""
    import time

    if known is None:
        known = _recorded_stats(out)
    found = OutputFiles({}, {})
    top = os.path.join(out, within) if within else out
    _walk_output(top, within + "/" if within else "", known, time.time_ns() - RACY_NS, found)
    return found


def _recorded_stats(out: Path) -> dict:
    from meshgen.signed_cache import read_record

    record = read_record(TREE_RECORD, _tree_record_name(out))
    known = record.get("files") if isinstance(record, dict) and record.get("out") == os.path.abspath(out) else None
    return known if isinstance(known, dict) else {}


def _walk_output(folder: Path | str, prefix: str, known: dict, settled_before: int, found: OutputFiles) -> None:
    import stat

    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        rel = prefix + entry.name
        if entry.is_symlink():
            found.digests[rel] = None
        elif entry.is_dir(follow_symlinks=False):
            _walk_output(entry.path, rel + "/", known, settled_before, found)
        else:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:  # gone meanwhile: held by no unit, and still an entry the output had
                found.digests[rel] = None
                continue
            if not stat.S_ISREG(info.st_mode):
                found.digests[rel] = None
                continue
            seen = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
            recorded = known.get(rel)
            if isinstance(recorded, list) and len(recorded) == 5 and recorded[:4] == seen:
                digest = recorded[4]
            else:
                digest, seen = _read_digest(entry.path)
                found.read += 1
            found.digests[rel] = digest
            if digest is not None and max(seen[1], seen[2]) < settled_before:
                found.stats[rel] = [*seen, digest]


def _read_digest(path: str) -> tuple[str | None, list]:
    """sha256 of a regular file and the stat it had when read (a symlink is not followed)."""
    import stat

    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None, []
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, []
        return _sha256(_read_all(fd, info.st_size)), [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    except OSError:
        return None, []
    finally:
        os.close(fd)


def record_output_files(out: Path, found: OutputFiles | None = None, replaced: list[str] | None = None) -> None:
    """Record what `out` holds, for the next walk: `found`, a walk of it (default: walk it now);
    with `replaced`, `found` is a walk from before the build wrote, and only those folders (and
    files) of the output were replaced since: the folders are walked now, the rest of `found`
    stands (a file changed meanwhile has another stat: the next walk reads it)."""
    from meshgen.signed_cache import write_record

    if found is None or replaced is None:
        stats = (found if found is not None else output_files(out)).stats
    else:
        prefixes = tuple(place + "/" for place in replaced)
        stats = {rel: s for rel, s in found.stats.items() if rel not in replaced and not rel.startswith(prefixes)}
        for place in replaced:  # a file replaced (the manifest) is read by the next walk
            if os.path.isdir(os.path.join(out, place)) and not os.path.islink(os.path.join(out, place)):
                stats.update(output_files(out, found.stats, place).stats)
    write_record(TREE_RECORD, _tree_record_name(out), {"out": os.path.abspath(out), "files": stats})


def _tree_record_name(out: Path) -> str:
    return _sha256(os.path.abspath(out).encode("utf-8", "surrogateescape"))


# ---- diagnostics in the manifest -------------------------------------------------------------
# A file inside the mesh root is recorded relative to it, so a mesh checked out elsewhere (or
# named by another path) gets its diagnostics back under the path this build uses.

def diagnostic_records(diagnostics: list[Diagnostic], root: Path) -> list[dict]:
    prefix = str(root).rstrip(os.sep) + os.sep
    return [_record(d, prefix) for d in diagnostics]


def _record(d: Diagnostic, prefix: str) -> dict:
    out: dict[str, Any] = {"code": d.code, "severity": d.severity.label, "message": d.message,
                           "at": _place(d.location, prefix)}
    for key, value in (("hint", d.hint), ("name", d.name), ("suppressed_by", d.suppressed_by), ("path", d.path)):
        if value:
            out[key] = value
    if d.related:
        out["related"] = [_place(r, prefix) for r in d.related]
    return out


def _place(loc: Location, prefix: str) -> list:
    inside = loc.file.startswith(prefix)
    return ["mesh" if inside else "", loc.file[len(prefix):] if inside else loc.file, loc.line, loc.column]


def restored_diagnostics(records: Any, root: Path) -> list[Diagnostic] | None:
    """The diagnostics a unit reported, back from its manifest entry (None when malformed)."""
    inside: dict[str, str] = {}  # a file of the mesh → its path under `root`, joined once per file
    try:
        return [Diagnostic(r["code"], Severity.parse(r["severity"]), r["message"], _location(r["at"], root, inside),
                           r.get("hint", ""), r.get("name", ""),
                           tuple(_location(x, root, inside) for x in r.get("related", ())),
                           r.get("suppressed_by", ""), r.get("path", "")) for r in records]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _location(place: list, root: Path, inside: dict[str, str]) -> Location:
    base, file, line, column = place
    if not (isinstance(file, str) and isinstance(line, int) and isinstance(column, int)):
        raise TypeError("bad location")
    if base != "mesh":
        return Location(file, line, column)
    if file not in inside:
        inside[file] = str(root / file)
    return Location(inside[file], line, column)


# ---- a build with nothing changed: no load, no check (the no-op fast path) -------------------
# After a build, this user's cache (meshgen.signed_cache) records its fingerprint: one digest of
# every input file (product files, meshgen.yaml, domain policies, Protobuf locks, template
# overrides, local indexes), the options, the date the checks compare with, meshgen's code and
# its plugins; with the digest of the manifest it wrote and its findings. A build with the same
# fingerprint, into an output that still holds exactly the files that manifest lists, replays the
# findings and writes nothing: the same report and exit code as running it.

BUILD_RECORD = "build"  # the signed_cache kind of these records
PLUGIN_GROUPS = ("meshgen.targets", "meshgen.rules")


class _NotComparable(Exception):
    """An input the fingerprint cannot vouch for (a symlink, a special file, a remote index): build."""


@dataclass
class BuildInputs:
    """What a build reads before it parses anything: `facts` (digests of files, the options, the
    date, the code), and the modules whose presence picks the default targets."""

    root: Path
    out: Path
    facts: dict[str, Any]
    requires: tuple[str, ...] = ()
    found: Any = None  # mesh.loader.MeshFiles: the discovery the fingerprint read, for the load to reuse

    def fingerprint(self, requires: tuple[str, ...] | None = None, beside: dict[str, str] | None = None) -> str:
        """One digest of the facts, with the presence of `requires` (default: this build's) folded
        in, and the Protobuf locks as `beside` says the build leaves them (path → digest)."""
        from importlib.util import find_spec

        present = []
        for module in requires if requires is not None else self.requires:
            try:
                present.append([module, find_spec(module) is not None])
            except (ImportError, ValueError):
                present.append([module, False])
        facts = {**self.facts, "locks": {**self.facts["locks"], **{k: v or "absent" for k, v in (beside or {}).items()}}}
        return _sha256(json.dumps([facts, present], sort_keys=True, separators=(",", ":")).encode("utf-8"))

    @property
    def record_name(self) -> str:
        return _sha256(os.path.abspath(self.out).encode("utf-8", "surrogateescape"))


def build_inputs(path, output: Path | None, targets: list[str] | None, strict: bool | None,
                 code: str) -> BuildInputs | None:
    """The inputs of a build of `path` (None when one of them cannot be vouched for by its bytes:
    a baseline revision to compare with, an index fetched from a server, a symlink)."""
    from meshgen.clock import today
    from meshgen.errors import MeshgenError
    from meshgen.mesh.loader import mesh_files

    try:
        found = mesh_files(path, output=Path(output) if output is not None else None)
        if found.diagnostics or (found.config.contracts or {}).get("baseline"):
            return None
        root = found.root
        real_root = Path(root).resolve()
        facts = {"code": code, "today": today().isoformat(), "targets": sorted(set(targets)) if targets else None,
                 "strict": strict, "plugins": _plugins(), "config": _input_digest(root / "meshgen.yaml"),
                 "root": os.path.abspath(root), "specs": {_shown(root, f): _input_digest(f) for f in found.files},
                 "selected": sorted(_shown(root, f) for f in found.selected),
                 "locks": {_relative(real_root, lock): _input_digest(lock) for lock in _locks(found.files)},
                 "policies": {p.relative_to(root).as_posix(): _input_digest(p) for p in sorted(root.glob("*/governance.yaml"))},
                 "templates": _folder_digests(root, found.config.templates),
                 "indexes": [_index_digest(root, entry) for entry in found.config.indexes]}
    except (MeshgenError, _NotComparable, OSError):
        return None
    out = Path(output) if output is not None else root / found.config.output
    return BuildInputs(root, out, facts, found=found)


def _locks(files: list[Path]) -> list[Path]:
    """The Protobuf lock beside each product file (targets/protobuf_lock.lock_path), read by a check."""
    return [f.with_name(f.stem + ".lock.json") for f in files]


def _input_digest(path: Path) -> str:
    """sha256 of a regular file's bytes, "absent" when there is none; anything else is not comparable."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return "absent"
    except OSError:
        raise _NotComparable(str(path)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotComparable(str(path))
        h = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return h.hexdigest()
    finally:
        os.close(fd)


def _shown(root: Path, path: Path) -> str:
    """A file as discovery found it, relative to the mesh root (no symlink resolved: a product is
    the file at the path it is found at)."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return os.path.abspath(path)


def _relative(real_root: Path, path: Path) -> str:
    """As the planner records a file beside a product: relative to the mesh root (`real_root`,
    resolved), the file resolved too."""
    try:
        return Path(path).resolve().relative_to(real_root).as_posix()
    except ValueError:
        return os.path.abspath(path)


def _folder_digests(root: Path, folder: str | None) -> dict[str, str] | None:
    """Every file under the template override folder; a missing folder is the build's to report."""
    if not folder:
        return None
    base = root / folder
    if not base.is_dir() or base.is_symlink():
        raise _NotComparable(str(base))
    return {p.relative_to(base).as_posix(): _input_digest(p) for p in sorted(base.rglob("*")) if not p.is_dir()}


def _index_digest(root: Path, entry: str) -> str:
    """A local index's bytes; a URL is fetched (and may have changed) by every build."""
    if entry.startswith(("https://", "http://")):
        raise _NotComparable(entry)
    return _input_digest(Path(entry[len("file://"):]) if entry.startswith("file://") else root / entry)


def _plugins() -> list:
    """Installed plugins of meshgen (targets, governance rules): their entry points and versions."""
    from importlib.metadata import entry_points

    return sorted([group, ep.name, ep.value, getattr(ep.dist, "version", None) if ep.dist else None]
                  for group in PLUGIN_GROUPS for ep in entry_points(group=group))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Replay:
    """A build with nothing changed, as the previous build recorded it."""

    files: list[str]  # every file of the output (none is written)
    diagnostics: list[Diagnostic]
    products: int  # the products the build acted on
    units: int


def record_build(inputs: BuildInputs, diagnostics: list[Diagnostic], products: int, units: int,
                 beside: dict[str, str]) -> None:
    """Record a build that wrote its output, for the next one to replay: `beside` are the files
    beside the products (path → digest) as the build left them."""
    from meshgen.signed_cache import write_record

    try:
        manifest = read_inside(inputs.out, MANIFEST)
    except OSError:
        return
    if manifest is None:
        return
    write_record(BUILD_RECORD, inputs.record_name, {
        "out": os.path.abspath(inputs.out), "inputs": inputs.fingerprint(beside=beside),
        "requires": list(inputs.requires), "manifest": _sha256(manifest), "products": products, "units": units,
        "diagnostics": diagnostic_records(diagnostics, inputs.root)})


def _matching_record(inputs: BuildInputs) -> dict | None:
    """The signed record of the last build into `inputs.out`, when it had this build's fingerprint."""
    from meshgen.signed_cache import read_record

    record = read_record(BUILD_RECORD, inputs.record_name)
    if not isinstance(record, dict) or record.get("out") != os.path.abspath(inputs.out):
        return None
    requires = record.get("requires")
    if not (isinstance(requires, list) and all(isinstance(m, str) for m in requires)) \
            or record.get("inputs") != inputs.fingerprint(tuple(requires)):
        return None
    return record


def unchanged_build(inputs: BuildInputs) -> Replay | None:
    """The recorded outcome of the previous build when this one has its fingerprint and the output
    still holds exactly the files its manifest lists (every byte checked, no symlink followed)."""
    from meshgen.output_swap import OutputLock

    record = _matching_record(inputs)
    if record is None:
        return None
    products, units = record.get("products"), record.get("units")
    diagnostics = restored_diagnostics(record.get("diagnostics"), inputs.root)
    if not (isinstance(products, int) and isinstance(units, int)) or diagnostics is None:
        return None
    if not inputs.out.is_dir() or inputs.out.is_symlink():
        return None
    with OutputLock(inputs.out):  # a build writing it meanwhile: fail naming it, as a full build would
        files = _intact_output(inputs.out, record.get("manifest"))
    return None if files is None else Replay(files, diagnostics, products, units)


def _intact_output(out: Path, manifest_digest: Any) -> list[str] | None:
    """The output's files when its manifest has that digest and every file is the bytes it lists,
    nothing more (no leftover of a killed build beside it either); else None."""
    from meshgen.output_swap import has_leftovers

    previous = previous_build(out)
    if previous is None or _sha256(previous.manifest) != manifest_digest or has_leftovers(out):
        return None
    found = previous.holds()
    if found.read:  # files read again now hold what the walk found: the next walk need not read them
        record_output_files(out, found)
    return sorted(previous.files) if _tree_holds(found, previous.files) else None


def _tree_holds(found: OutputFiles, listed: dict[str, str]) -> bool:
    """Whether the walk found exactly the regular files `listed` (path → sha256) and the manifest,
    each the bytes listed: a symlink or a special file anywhere is a difference."""
    return len(found.digests) == len(listed) + 1 and found.digests.get(MANIFEST) is not None and all(
        found.digests.get(rel) == digest for rel, digest in listed.items())


def _read_all(fd: int, size: int) -> bytes:
    chunks = [os.read(fd, size + 1)]
    while chunks[-1]:
        chunks.append(os.read(fd, 1 << 20))
    return b"".join(chunks)


def recorded_findings(inputs: BuildInputs) -> tuple[list[Diagnostic], int] | None:
    """What the build recorded for `inputs.out` found, and how many products it acted on, when
    this build's inputs have its fingerprint: `meshgen validate` reports that without loading
    anything (its findings depend on the inputs only, not on the output folder)."""
    record = _matching_record(inputs)
    if record is None:
        return None
    products, diagnostics = record.get("products"), restored_diagnostics(record.get("diagnostics"), inputs.root)
    return None if diagnostics is None or not isinstance(products, int) else (diagnostics, products)


# ---- a mesh unit's per-product parts, kept between builds ------------------------------------
# A mesh unit (DataHub's mesh.json) computes one part per product, each reading what that
# product's unit reads. Each part it computed is kept, signed, in this user's cache: one record a
# part, named by the unit's store and a digest of what the part read, so a build reads the records
# of the parts it needs and writes those of the parts it computed, never the whole unit's (at
# 1,000 products DataHub's parts are ~30 MB of JSON). What computing a part reported is recorded
# with it and reported again, in order, so the unit's diagnostics are a clean run's. Records of
# parts no build asks for any more are left in the cache (each is small; removing the cache
# folder is always safe).

PART_RECORD = "parts"  # the signed_cache kind of these records


class PartStore:
    """The parts of one mesh unit: `get(pf, compute, also)` is a previous build's part of `pf`
    when one was recorded under `key_of(pf, also)` (the digest of its inputs), else `compute()`."""

    def __init__(self, name: str, key_of: Callable[[Any, Any], str], reporter: Any, root: Path):
        self.name, self.key_of, self.reporter, self.root = name, key_of, reporter, root
        self.kept: dict[str, Any] = {}  # key → the part, as recorded, of every part this run used
        self.fresh: set[str] = set()  # ...of which this run computed these
        self.computed = 0

    def get(self, pf: Any, compute: Callable[[], Any], also: Any = None) -> Any:
        key = self.key_of(pf, also)
        hit = self.kept.get(key) or self._recorded(key)
        if isinstance(hit, dict) and "value" in hit:
            reports = restored_diagnostics(hit.get("reports"), self.root)
            if reports is not None:
                for diagnostic in reports:
                    self.reporter.report(diagnostic)
                self.kept[key] = hit
                return hit["value"]
        value, tap = self.tapped(compute)
        self.computed += 1
        if tap is not None:
            self.kept[key] = {"value": value, "reports": diagnostic_records(tap, self.root)}
            self.fresh.add(key)
        return value

    def tapped(self, compute: Callable[[], Any]) -> tuple[Any, list[Diagnostic] | None]:
        """`compute()` and every report it made, seen before or not (None when something was
        reported around the reporter: then it cannot be made again from a record)."""
        tap: list[Diagnostic] = []
        before = len(self.reporter.diagnostics)
        self.reporter.taps.append(tap)
        try:
            value = compute()
        finally:
            self.reporter.taps.remove(tap)
        added = self.reporter.diagnostics[before:]
        return value, (tap if all(any(d is t for t in tap) for d in added) else None)

    def offer(self, pf: Any, value: Any, reports: list[Diagnostic], also: Any = None) -> None:
        """Record `value` as the part of `pf`, computing it having reported `reports`: a product
        unit of the target made it, and the mesh unit, run after the product units
        (planner.run_unit, `offers_parts`), takes it instead of computing it again."""
        key = self.key_of(pf, also)
        self.kept[key] = {"value": value, "reports": diagnostic_records(reports, self.root)}
        self.fresh.add(key)

    def record_name(self, key: str) -> str:
        return _sha256(f"{self.name}/{key}".encode("ascii"))

    def _recorded(self, key: str) -> Any:
        from meshgen.signed_cache import read_record

        return read_record(PART_RECORD, self.record_name(key))

    def save(self) -> None:
        """Record the parts this run computed."""
        from meshgen.signed_cache import write_record

        for key in sorted(self.fresh):
            write_record(PART_RECORD, self.record_name(key), self.kept[key])
        self.fresh.clear()
