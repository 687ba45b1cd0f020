"""Artifacts → files, atomically.

The whole new output tree is staged in a sibling folder and swapped in with renames, so a
failed build leaves the previous output untouched. A folder that meshgen did not write (no
manifest, or files the manifest does not list) is never overwritten: nothing is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from meshgen import __version__
from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
from meshgen.errors import OutputError

MANIFEST = "meshgen-manifest.json"


@dataclass(frozen=True)
class Artifact:
    """One generated file: a path relative to its target's folder, and its text."""

    path: str
    content: str


def safe_relpath(rel: str) -> PurePosixPath:
    """A relative path that stays inside the output folder, or OutputError."""
    p = PurePosixPath(rel)
    bad = (
        not rel or p.is_absolute() or "\\" in rel or any(part in ("", ".", "..") for part in rel.split("/"))
        or any(unicodedata.category(ch) == "Cc" for ch in rel) or ":" in p.parts[0]
    )
    if bad:
        raise OutputError(f"refusing to write {rel!r}: it would leave the output folder", [Diagnostic(
            "OUT002", Severity.ERROR, f"generated path {rel!r} is not a plain relative path", Location(rel),
            "this is a bug in a target or a template override: paths must not contain '..', '/' at the start, "
            "'\\' or control characters")])
    return p


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(out: Path) -> dict[str, str] | None:
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_manifest_units(out: Path) -> dict[str, dict]:
    """The units the previous build recorded (see meshgen.planner), or {} when there are none."""
    try:
        units = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("units", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return units if isinstance(units, dict) else {}


def _existing_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() or p.is_symlink()}


def write_tree(out: Path, files: dict[str, str], keep_from_previous: bool = False,
               replace_prefixes: tuple[str, ...] = (), units: dict[str, dict] | None = None) -> list[str]:
    """Write `files` (relative path → text) as the new content of `out`.

    With `keep_from_previous`, files of the previous build outside `replace_prefixes` stay (a
    partial build of some products keeps the others' output). `units`, when given, is recorded
    in the manifest as it is (the planner's units: inputs hashed, files written). Returns the
    written paths.
    """
    encoded = {str(safe_relpath(rel)): text.encode("utf-8") for rel, text in files.items()}
    if MANIFEST in encoded:
        raise OutputError("a target tried to write the manifest", [])

    previous: dict[str, str] = {}
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"{out} is not a folder", [Diagnostic(
                "OUT001", Severity.ERROR, f"output path {display_path(out)} exists and is not a folder",
                Location(display_path(out)), "choose another output with -o")])
        present = _existing_files(out)
        manifest = read_manifest(out)
        if manifest is None and present:
            raise OutputError(f"{out} was not written by meshgen", [Diagnostic(
                "OUT001", Severity.ERROR,
                f"output folder {display_path(out)} is not empty and was not written by meshgen",
                Location(display_path(out)), "choose an empty or new folder with -o, or empty this one")])
        if manifest is not None:
            foreign = sorted(present - set(manifest) - {MANIFEST})
            if foreign:
                raise OutputError(f"{out} holds files meshgen did not write", [Diagnostic(
                    "OUT001", Severity.ERROR,
                    f"output folder {display_path(out)} holds {len(foreign)} file(s) meshgen did not write, "
                    f"e.g. {foreign[0]}", Location(display_path(out)),
                    "move them out of the output folder; meshgen replaces the folder's whole content")])
            previous = manifest

    if keep_from_previous and previous:
        for rel in previous:
            if rel not in encoded and not any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in replace_prefixes):
                src = out / rel
                if src.is_file():
                    encoded[rel] = src.read_bytes()

    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private; the output is an ordinary folder
    try:
        for rel, data in sorted(encoded.items()):
            dest = stage / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        manifest_doc = {"generator": f"meshgen {__version__}",
                        "files": {rel: _digest(data) for rel, data in sorted(encoded.items())}}
        if units is not None:
            manifest_doc["units"] = units
        (stage / MANIFEST).write_text(json.dumps(manifest_doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _swap(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return sorted(encoded)


def _swap(stage: Path, out: Path) -> None:
    if not out.exists():
        os.rename(stage, out)
        return
    backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.previous-", dir=out.parent))
    backup.rmdir()
    os.rename(out, backup)
    try:
        os.rename(stage, out)
    except BaseException:
        os.rename(backup, out)
        raise
    shutil.rmtree(backup, ignore_errors=True)


def write_file_atomic(path: Path, text: str) -> None:
    """Write one file through a temporary file and a rename: readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
