"""The cases shared by the schema and port targets (jsonschema, pydantic, protobuf, openapi,
asyncapi, schema-registry): each is a small mesh under cases/<case>/mesh. Every target has its
golden files, with the diagnostics it reported, in tests/targets/<target>/expected/<case>/
(schema-registry's are in asyncapi's, built together)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from meshgen.api import BuildResult, build
from meshgen.planner import product_folder as product_dir
from tests.conftest import SPECS
from tests.support import assert_same_tree

CASES = Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "mesh").is_dir())
TARGETS_DIR = Path(__file__).parents[1]
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
        lines = []
        for d in self.result.diagnostics.sorted():
            if not d.code.startswith(TARGET_CODES):  # governance and contracts have their own tests
                continue
            loc = d.location
            file = Path(loc.file)
            rel = file.relative_to(self.mesh).as_posix() if file.is_absolute() and self.mesh in file.parents else loc.file
            lines.append(f"{d.code} {d.severity.label} {rel}:{loc.line}:{loc.column} {d.message}")
        return "\n".join(lines) + "\n"


def build_copy(source: Path, tmp: Path, targets: list[str]) -> Built:
    mesh = tmp / "mesh"
    shutil.copytree(source, mesh, ignore=shutil.ignore_patterns("build"))
    out = tmp / "out"
    result = build(mesh, output=out, targets=targets)
    return Built(mesh.resolve(), out, result)


def build_case(case: str, tmp: Path, targets: list[str]) -> Built:
    return build_copy(CASES / case / "mesh", tmp, targets)


def build_specs(tmp: Path, targets: list[str]) -> Built:
    return build_copy(SPECS, tmp, targets)


SOURCES = ["specs"] + CASE_NAMES  # what the validator tests build: the example mesh and every case


def build_source(name: str, tmp: Path, targets: list[str]) -> Built:
    return build_specs(tmp, targets) if name == "specs" else build_case(name, tmp, targets)


def check_golden(targets: list[str], case: str, tmp: Path, test_id: str) -> Built:
    """Build `case` with `targets`; compare their files and diagnostics with the golden tree of the first."""
    built = build_case(case, tmp / "build", targets)
    actual = tmp / "actual"
    actual.mkdir(parents=True)
    for target in targets:
        for path in built.files(target):
            dest = actual / path.relative_to(built.out)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    (actual / "diagnostics.txt").write_text(built.diagnostics_text(), encoding="utf-8")
    assert_same_tree(TARGETS_DIR / targets[0] / "expected" / case, actual, test_id)
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
        meshes[case] = copy_source(CASES / case / "mesh", tmp / case)
    built = {}
    with pinned_today(FULL_VOCABULARY_TODAY):
        for name, source in meshes.items():
            out = tmp / "out" / name
            built[name] = (out, build(source, output=out, targets=targets))
    return built
