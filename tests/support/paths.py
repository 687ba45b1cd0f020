"""Where the tests' inputs are, and private copies of them."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
SHARED = ROOT.parent / "shared"
# ../shared's normative reference: only interop tests read it (integration: need() it).
REFERENCE = SHARED / "spec" / "dataproduct.reference.yaml"
# The project's own product that uses every key of the models (tests/core/test_full_vocabulary.py).
FULL_VOCABULARY = ROOT / "tests" / "fixtures" / "full_vocabulary" / "dataproduct.yaml"
# The day the full-vocabulary product's dates (waiver expiry, deprecations) are written against.
FULL_VOCABULARY_TODAY = "2026-11-26"


def copy_source(source: Path, dest: Path) -> Path:
    """A private copy of a product file or mesh folder (without build output) under `dest`.

    Builds must not run on files inside the repository: a build writes a Protobuf lock beside
    its input, and a file inside the repository belongs to the repository's own mesh
    (meshgen.yaml at its root), not to a mesh of one."""
    dest.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        target = dest / source.name
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("build"))
        return target
    target = dest / source.parent.name / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


@contextlib.contextmanager
def pinned_today(day: str):
    """MESHGEN_TODAY=day inside the block (for module-scoped fixtures, which have no monkeypatch)."""
    before = os.environ.get("MESHGEN_TODAY")
    os.environ["MESHGEN_TODAY"] = day
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MESHGEN_TODAY", None)
        else:
            os.environ["MESHGEN_TODAY"] = before
