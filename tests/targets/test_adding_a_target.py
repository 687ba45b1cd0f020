"""Adding a target is one module (docs/architecture.md, "Adding a thing"): a throwaway target
module, dropped into a folder on the `meshgen.targets` package's path with no list edited, builds into
the planner's layout with manifest units, reports what it cannot express as notes of its own
code family (an error under --strict), and its codes reach the code registry, SARIF and
docs/diagnostics.md, with no edit to the planner, governance or reporting."""

from __future__ import annotations

import json
import sys

import pytest

import meshgen.targets as targets
from meshgen.api import build
from meshgen.errors import ViolationsFound
from meshgen.reporting import codes
from meshgen.reporting.sarif import sarif_log
from tests.support.golden import case_mesh

TOY = '''
from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.serializer import json_document
from meshgen.targets.base import CANNOT_EXPRESS, Target


class ToyTarget(Target):
    """Each dataset's field names and types, as JSON (a throwaway target of the tests)."""

    name = "toy"
    scope = "product"
    reads = "product"
    codes = CodeFamily("TOY", "The toy target can express the product.", "docs/diagnostics.md",
                       (DiagnosticCode("TOY001", CANNOT_EXPRESS, "a map field is listed without its value type"),),
                       target="toy")

    def generate(self, pf):
        for d, ds in enumerate(pf.product.datasets):
            for f, field in enumerate(ds.fields):
                if field.data_type.kind.value == "map":
                    self.unsupported("TOY001", f"map field {field.name!r} is listed without its value type",
                                     pf.location("datasets", d, "fields", f, "type"), "read the Avro schema instead")
            fields = {field.name: str(field.type) for field in ds.fields}
            yield Artifact(f"{ds.name}.json", json_document({"address": pf.product.address, "fields": fields}))
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    package = tmp_path / "more_targets"
    package.mkdir()
    (package / "toy_target.py").write_text(TOY, encoding="utf-8")  # the whole step
    monkeypatch.setattr(targets, "__path__", [*targets.__path__, str(package)])
    targets.builtin_targets.cache_clear()
    codes.all_families.cache_clear()
    yield
    targets.builtin_targets.cache_clear()
    codes.all_families.cache_clear()
    sys.modules.pop("meshgen.targets.toy_target", None)


def test_the_module_is_found_by_its_declaration(toy):
    assert targets.builtin_targets()["toy"] == "meshgen.targets.toy_target:ToyTarget"
    assert targets.load_target("toy").name == "toy"


def test_a_new_target_is_one_module(toy, tmp_path):
    mesh = case_mesh("every_type", tmp_path / "src")
    result = build(mesh, output=tmp_path / "out", targets=["toy"])
    files = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.json"))
    assert [f for f in files if "/toy/" in f] == ["shop/catalog/v1/toy/articles.json"]
    written = json.loads((tmp_path / "out/shop/catalog/v1/toy/articles.json").read_text(encoding="utf-8"))
    assert written["address"] == "data://shop/catalog/v1" and written["fields"]
    manifest = json.loads((tmp_path / "out/meshgen-manifest.json").read_text(encoding="utf-8"))
    assert [u for u in manifest["units"] if u.startswith("toy@")] == ["toy@data://shop/catalog/v1"]
    assert manifest["units"]["toy@data://shop/catalog/v1"]["folder"] == "shop/catalog/v1/toy"
    notes = [d for d in result.diagnostics if d.code == "TOY001"]
    assert notes and all(d.severity.label == "note" and d.location.line for d in notes)
    with pytest.raises(ViolationsFound):
        build(mesh, output=tmp_path / "strict", targets=["toy"], strict=True)

    assert codes.owner("TOY001") == "target toy"
    assert "| TOY001 |" in codes.diagnostics_markdown()
    rules = sarif_log(notes)["runs"][0]["tool"]["driver"]["rules"]
    toy_rule = next(r for r in rules if r["id"] == "TOY001")
    assert "without its value type" in toy_rule["shortDescription"]["text"]
