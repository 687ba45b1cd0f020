"""Builds of the cases for the schema and port targets (jsonschema, pydantic, protobuf, openapi,
asyncapi, schema-registry) and the catalog targets that share them: the meshes under
tests/targets/cases/<case>/mesh, golden files in tests/targets/<target>/expected/<case>/ (the
convention of tests/support/golden.py; schema-registry's are in asyncapi's, built together)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from meshgen.api import BuildResult, build
from meshgen.planner import product_folder as product_dir
from tests.conftest import SPECS
from tests.support.golden import case_source, check_golden, diagnostics_text, golden_cases

# The cases these targets have golden files for (and the validators build).
CASE_NAMES = golden_cases("jsonschema")
TARGET_CODES = ("PROTO", "JSONSCHEMA", "PYDANTIC", "OPENAPI", "ASYNCAPI", "REGISTRY", "AVRO", "BACKSTAGE", "AMUNDSEN")


@dataclass
class Built:
    mesh: Path  # the private copy of the mesh that was built (lock files land here)
    out: Path
    result: BuildResult

    def product_out(self, pf) -> Path:
        """The output folder of one product version: <out>/<domain>/<product>/v<major>."""
        return self.out / product_dir(pf)

    def files(self, target: str, suffix: str = "") -> list[Path]:
        return sorted(p for p in self.out.rglob("*") if p.is_file() and f"/{target}/" in p.as_posix()
                      and p.name.endswith(suffix))

    def diagnostics_text(self) -> str:
        # governance and contracts have their own tests
        return diagnostics_text(self.result.diagnostics, self.mesh, TARGET_CODES)


def build_copy(source: Path, tmp: Path, targets: list[str]) -> Built:
    mesh = tmp / "mesh"
    shutil.copytree(source, mesh, ignore=shutil.ignore_patterns("build"))
    out = tmp / "out"
    result = build(mesh, output=out, targets=targets)
    return Built(mesh.resolve(), out, result)


def build_case(case: str, tmp: Path, targets: list[str]) -> Built:
    return build_copy(case_source(case), tmp, targets)


def build_specs(tmp: Path, targets: list[str]) -> Built:
    return build_copy(SPECS, tmp, targets)


SOURCES = ["specs"] + CASE_NAMES  # what the validator tests build: the example mesh and every case


def build_source(name: str, tmp: Path, targets: list[str]) -> Built:
    return build_specs(tmp, targets) if name == "specs" else build_case(name, tmp, targets)


def build_and_check_golden(targets: list[str], case: str, tmp: Path, test_id: str | None = None) -> Built:
    """Build `case` with `targets`; compare their files and diagnostics with the golden tree of the first."""
    built = build_case(case, tmp / "build", targets)
    check_golden(targets[0], case, built.out, diagnostics=built.diagnostics_text(), test_id=test_id,
                 keep=lambda rel: any(f"/{t}/" in f"/{rel.as_posix()}" for t in targets))
    return built


def build_validation_sources(tmp: Path, targets: list[str]) -> dict[str, tuple[Path, BuildResult]]:
    """What a tool's validation run reads: the example mesh, the full-vocabulary product, the
    hostile-text fixture and every shared case, each built with `targets` (on the day the
    full-vocabulary product is written against). Name → (output folder, build result)."""
    from tests.conftest import FULL_VOCABULARY, FULL_VOCABULARY_TODAY, copy_source
    from tests.support import pinned_today
    from tests.targets.test_every_file_parses import hostile_text_mesh

    meshes = {"specs": copy_source(SPECS, tmp / "specs"),
              "full_vocabulary": copy_source(FULL_VOCABULARY, tmp / "full"),
              "hostile_text": hostile_text_mesh("hostile_text", tmp / "hostile_text")}
    for case in CASE_NAMES:
        meshes[case] = copy_source(case_source(case), tmp / case)
    built = {}
    with pinned_today(FULL_VOCABULARY_TODAY):
        for name, source in meshes.items():
            out = tmp / "out" / name
            built[name] = (out, build(source, output=out, targets=targets))
    return built
