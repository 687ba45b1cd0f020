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
PLANNED_INPUTS = ("config", "mesh", "meshgen", "specs")


@dataclass
class PreviousBuild:
    out: Path
    files: dict[str, str]  # path inside the output → sha256, as the previous manifest lists them
    units: dict[str, dict]  # unit key → its manifest entry
    manifest: bytes  # the manifest's bytes: an unchanged build need not write anything


def previous_build(out: Path) -> PreviousBuild | None:
    """The previous build's manifest, or None when there is none meshgen could use."""
    try:
        raw = read_inside(out, MANIFEST)
    except OSError:
        return None
    try:
        doc = json.loads((raw or b"").decode("utf-8"))
        files = {str(k): str(v) for k, v in doc["files"].items()}
        units = doc.get("units", {})
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(units, dict):
        return None
    return PreviousBuild(out, files, {k: v for k, v in units.items() if isinstance(v, dict)}, raw)


def reusable_files(previous: PreviousBuild, key: str, folder: str, planned: dict[str, Any],
                   template_digest: Callable[[str], str | None], root: Path) -> dict[str, bytes] | None:
    """The previous files of unit `key` when nothing it read changed and they are intact; else None."""
    entry = previous.units.get(key)
    if entry is None or entry.get("folder") != folder:
        return None
    inputs = entry.get("inputs")
    if not isinstance(inputs, dict) or {k: inputs.get(k) for k in PLANNED_INPUTS} != planned:
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


def _intact_files(previous: PreviousBuild, names: Any, folder: str) -> dict[str, bytes] | None:
    if not isinstance(names, list):
        return None
    files = {}
    for rel in names:
        if not isinstance(rel, str) or not rel.startswith(folder + "/") or rel not in previous.files:
            return None
        safe_relpath(rel)
        data = read_inside(previous.out, rel)
        if data is None or hashlib.sha256(data).hexdigest() != previous.files[rel]:
            return None
        files[rel] = data
    return files


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
    try:
        return [Diagnostic(r["code"], Severity.parse(r["severity"]), r["message"], _location(r["at"], root),
                           r.get("hint", ""), r.get("name", ""), tuple(_location(x, root) for x in r.get("related", ())),
                           r.get("suppressed_by", ""), r.get("path", "")) for r in records]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _location(place: list, root: Path) -> Location:
    base, file, line, column = place
    if not (isinstance(file, str) and isinstance(line, int) and isinstance(column, int)):
        raise TypeError("bad location")
    return Location(str(root / file) if base == "mesh" else file, line, column)
