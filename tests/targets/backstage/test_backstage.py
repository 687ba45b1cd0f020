"""The backstage target: golden files; every entity of the example mesh and the fixtures passes
Backstage's own catalog model (one node process: the default entity policies, the kind
validators, references resolved, `$text` placeholders and Location targets found), a broken
entity is rejected by the same run, hostile strings read back unchanged, names fit the rules."""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import subprocess
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.model.loader import ProductFile
from meshgen.targets.backstage import MAX_NAME, entity_name, hand_out_names
from tests.conftest import ROOT, SPECS, copy_source, need, need_executable
from tests.support.golden import golden_cases
from tests.targets.jsonschema.meshes import build_validation_sources, build_and_check_golden

HERE = Path(__file__).parent
# the targets whose files the API entities' definitions name
WITH_DEFINITIONS = ["backstage", "openapi", "asyncapi", "protobuf"]
NAME = r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"


@pytest.mark.parametrize("case", golden_cases("backstage"))
def test_golden(case, tmp_path):
    build_and_check_golden(["backstage"], case, tmp_path)


def _node_modules() -> Path:
    folder = Path(os.environ.get("MESHGEN_NPM", ROOT / ".npm-tools")) / "node_modules"
    need((folder / "@backstage" / "catalog-model").is_dir() and (folder / "yaml").is_dir(),
         f"{folder}/@backstage/catalog-model and yaml (`make test` runs scripts/setup-test-env.sh, which installs them)")
    return folder


RESOURCE = "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: {name}\n{more}spec:\n  type: table\n{owner}"
# one fault each (the policies stop at the first), and what the validator's message names
BROKEN = {
    "metadata.name": RESOURCE.format(name='"not a name"', more="", owner="  owner: group:default/t\n"),
    "tags.0": RESOURCE.format(name="ok", more="  tags: [Not_A_Tag]\n", owner="  owner: group:default/t\n"),
    "foreignRoot": RESOURCE.format(name="ok", more="", owner="  owner: group:default/t\nforeignRoot: 1\n"),
    "owner": RESOURCE.format(name="ok", more="", owner=""),
    "does not exist": RESOURCE.format(name="ok", more="", owner="  owner: group:default/t\n").replace(
        "kind: Resource", "kind: API").replace("type: table", "type: openapi\n  lifecycle: production\n"
                                                             "  definition: {$text: ../missing.json}"),
}


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Build the example mesh and the fixtures (with the targets the definitions come from), then
    run the validator once over every catalog file and one broken file."""
    modules = _node_modules()
    node = need_executable("node")
    tmp = tmp_path_factory.mktemp("backstage")
    built = build_validation_sources(tmp, WITH_DEFINITIONS)
    broken = {}
    for index, (fault, text) in enumerate(BROKEN.items()):
        broken[fault] = tmp / "broken" / str(index) / "catalog-info.yaml"
        broken[fault].parent.mkdir(parents=True)
        broken[fault].write_text(text, encoding="utf-8")
    files = sorted(str(p) for out, _ in built.values() for p in out.rglob("catalog-info.yaml"))
    proc = subprocess.run([node, str(HERE / "validate_entities.cjs"), str(modules), *files,
                           *(str(p) for p in broken.values())],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return built, json.loads(proc.stdout), {fault: str(p) for fault, p in broken.items()}


def test_every_entity_passes_the_catalog_model(validated):
    built, report, broken = validated
    generated = {f: r for f, r in report["files"].items() if f not in broken.values()}
    failures = {f: r["errors"] for f, r in generated.items() if r["errors"]}
    assert not failures, json.dumps(failures, indent=2, ensure_ascii=False)[:4000]
    for out, _ in built.values():  # each mesh is a catalog of its own: its references resolve within it
        mine = [r for f, r in generated.items() if Path(f).is_relative_to(out)]
        defined = {d for r in mine for d in r["defines"]}
        assert len(defined) == sum(len(r["defines"]) for r in mine), "two entities of one kind and name"
        unresolved = {d for r in mine for d in r["refers"]} - defined
        assert not unresolved, (out, sorted(unresolved)[:10])
    kinds = {e["kind"] for r in generated.values() for e in r["entities"]}
    assert kinds == {"Component", "Resource", "API", "System", "Group", "Domain", "Location"}
    # every product of every mesh has its file, and the mesh file lists them all
    for out, result in built.values():
        products = {f"{pf.product.domain}/{pf.product.name}/v{pf.product.major}" for pf in result.mesh.products}
        mesh_file = str(out / "_mesh" / "backstage" / "catalog-info.yaml")
        (location,) = [e for e in report["files"][mesh_file]["entities"] if e["kind"] == "Location"]
        listed = {posixpath.normpath(posixpath.join("_mesh/backstage", t)) for t in location["spec"]["targets"]}
        assert listed == {f"{p}/backstage/catalog-info.yaml" for p in products}


def test_a_broken_entity_is_rejected(validated):
    _, report, broken = validated
    for fault, file in broken.items():
        errors = " | ".join(report["files"][file]["errors"])
        assert fault in errors, (fault, errors)


def _entities(report, out: Path, pf: ProductFile) -> list[dict]:
    p = pf.product
    return report["files"][str(out / p.domain / p.name / f"v{p.major}" / "backstage" / "catalog-info.yaml")]["entities"]


def test_hostile_strings_read_back_unchanged(validated):
    built, report, _ = validated
    checked = 0
    for name in ("hostile_text", "hostile"):
        out, result = built[name]
        for pf in result.mesh.products:
            component, *others = _entities(report, out, pf)
            assert component["kind"] == "Component"
            assert component["metadata"]["title"] == pf.product.title
            assert component["metadata"]["description"] == pf.product.purpose
            ports = {port.name: port for port in pf.product.outputPorts}
            for e in others:
                port = ports[e["metadata"]["annotations"]["meshgen/port"]]
                if port.description:
                    assert e["metadata"]["description"] == port.description
                    checked += 1
    assert checked >= 5


def test_the_example_mesh_entities(validated):
    built, report, _ = validated
    out, result = built["specs"]
    by_address = {pf.product.address: pf for pf in result.mesh.products}
    v1, v2 = by_address["data://checkout/orders/v1"], by_address["data://checkout/orders/v2"]
    component = _entities(report, out, v1)[0]
    assert component["spec"]["lifecycle"] == "deprecated"
    assert _entities(report, out, v2)[0]["spec"]["lifecycle"] == "production"
    assert component["spec"]["owner"] == "group:default/checkout-team"
    assert component["spec"]["system"] == "system:default/checkout"
    # the orders read payments' transactions: their resources are what orders depends on
    depends = _entities(report, out, v2)[0]["spec"]["dependsOn"]
    assert any(d.startswith("resource:default/payments-transactions-v2-") for d in depends)
    apis = [e for e in _entities(report, out, v2) if e["kind"] == "API"]
    assert {a["spec"]["type"] for a in apis} >= {"openapi", "asyncapi"}
    for a in apis:
        assert a["spec"]["definition"]["$text"].startswith("../")  # resolved by the validator run
    # the Domain owns the docs site: a dir: ref to <out>/docs, from where the mesh file is
    mesh_file = out / "_mesh" / "backstage" / "catalog-info.yaml"
    (domain,) = [e for e in report["files"][str(mesh_file)]["entities"] if e["kind"] == "Domain"]
    ref = domain["metadata"]["annotations"]["backstage.io/techdocs-ref"]
    assert ref.startswith("dir:")
    assert (mesh_file.parent / ref[len("dir:"):]).resolve() == (out / "docs").resolve()
    assert component["metadata"]["annotations"]["backstage.io/techdocs-entity-path"] == "products/checkout/orders/v1/"


def test_links_to_the_docs_page_only_with_a_site_url(tmp_path):
    mesh = copy_source(SPECS, tmp_path)
    config = mesh / "meshgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://data.example.com/mesh/\n", encoding="utf-8")
    out = tmp_path / "out"
    build(mesh, output=out, targets=["backstage"])
    text = (out / "checkout/orders/v2/backstage/catalog-info.yaml").read_text(encoding="utf-8")
    assert "url: https://data.example.com/mesh/products/checkout/orders/v2/" in text
    shutil.rmtree(out)
    config.write_text(config.read_text(encoding="utf-8").replace("site_url: https://data.example.com/mesh/\n", ""))
    build(mesh, output=out, targets=["backstage"])
    assert "data.example.com" not in (out / "checkout/orders/v2/backstage/catalog-info.yaml").read_text(encoding="utf-8")


class _Product:
    def __init__(self, domain, name, team="t", ports=()):
        from types import SimpleNamespace

        self.product = SimpleNamespace(domain=domain, name=name, major=1, address=f"data://{domain}/{name}/v1",
                                       owner=SimpleNamespace(team=team),
                                       outputPorts=[SimpleNamespace(name=n, type="table") for n in ports])
        self.path = Path(f"/{domain}/{name}")


def test_names_fit_the_rules_and_never_collide():
    import re

    long = "x" * 120
    products = [_Product("a-b", "c", ports=["p"]), _Product("a", "b-c", ports=["p"]), _Product("A", "B_C", "T"),
                _Product(long, long, long, ports=[long, long + "y"]), _Product("ünï", "✓", "qa team ✓")]
    names = hand_out_names("my mesh", products)
    for table in (names.components, names.resources, names.groups, names.systems):
        values = list(table.values())
        assert len({v.casefold() for v in values}) == len(values), values
        for v in values:
            assert len(v) <= MAX_NAME and re.match(NAME, v), v
    assert names.components["data://a-b/c/v1"] != names.components["data://a/b-c/v1"]
    assert entity_name("Checkout", "orders", "v2") == "checkout-orders-v2"


def test_a_support_link_that_is_not_http_is_left_out_with_a_note(tmp_path):
    mesh = copy_source(SPECS, tmp_path)
    product = mesh / "checkout/orders/v2/dataproduct.yaml"
    text = product.read_text(encoding="utf-8")
    assert 'url: "https://example.slack.com/archives/C01"' in text
    product.write_text(text.replace('url: "https://example.slack.com/archives/C01"', 'url: "javascript:alert(1)"'),
                       encoding="utf-8")
    out = tmp_path / "out"
    result = build(mesh, output=out, targets=["backstage"])
    notes = [d for d in result.diagnostics if d.code == "BACKSTAGE001"]
    assert len(notes) == 1 and notes[0].location.line > 1
    assert "javascript" not in (out / "checkout/orders/v2/backstage/catalog-info.yaml").read_text(encoding="utf-8")
