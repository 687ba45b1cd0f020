"""The datahub target, judged by DataHub's own package (acryl-datahub, in its tool venv): every
generated file passes `datahub check metadata-file` and every proposal round-trips through
DataHub's model classes (one subprocess over the example mesh, the full-vocabulary product and the
hostile fixtures); the mesh recipe runs for real with `datahub ingest`, its sink swapped for a
file sink (there is no DataHub server here: it needs Docker, Elasticsearch, Kafka and MySQL).
The facts DataHub does not check (lineage, field paths, deprecation, hostile text) are asserted
here on the generated JSON."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from ruamel.yaml import YAML

from meshgen.api import build
from tests.conftest import FULL_VOCABULARY, FULL_VOCABULARY_TODAY, ROOT, SPECS, copy_source, pinned_today, tool_bin
from tests.support.golden import case_mesh, check_golden, diagnostics_text, golden_cases
from tests.targets.orchestration import HOSTILE_TAGS, hostile_mesh

CHECKER = Path(__file__).parent / "check_proposals.py"
HOSTILE_TEXT = ROOT / "tests" / "fixtures" / "hostile_text"
SITE = "https://data.example.com/mesh/"


def _bundle_files(out: Path) -> list[Path]:
    """The datahub target's bundles (a product's mcps.json, the mesh's mesh.json), not the other
    JSON every build writes (the manifest, _mesh/index.json)."""
    return sorted(p for p in out.rglob("*.json") if p.parent.name == "datahub")


def _proposals(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Output folders: the example mesh (with a site_url), the full-vocabulary product, and two hostile meshes."""
    tmp = tmp_path_factory.mktemp("datahub")
    examples = copy_source(SPECS, tmp / "src")
    (examples / "meshgen.yaml").write_text((examples / "meshgen.yaml").read_text() + f"site_url: {SITE}\n")
    hostile_text = tmp / "hostile-text"
    shutil.copytree(HOSTILE_TEXT, hostile_text / "qa" / "hostile_text")
    (hostile_text / "meshgen.yaml").write_text('name: hostile\ngovernance: {rules: {naming: "off"}}\n')
    sources = {"examples": examples, "hostile_text": hostile_text, "hostile": hostile_mesh(tmp)}
    with pinned_today(FULL_VOCABULARY_TODAY):
        sources["full_vocabulary"] = copy_source(FULL_VOCABULARY, tmp / "full")
        outs = {}
        for name, source in sources.items():
            outs[name] = tmp / "out" / name
            build(source, output=outs[name], targets=["datahub"])
    return outs


@pytest.mark.parametrize("case", golden_cases("datahub"))
def test_golden(case, tmp_path, monkeypatch):
    monkeypatch.setenv("MESHGEN_TODAY", FULL_VOCABULARY_TODAY)
    result = build(case_mesh(case, tmp_path), output=tmp_path / "out", targets=["datahub"])
    check_golden("datahub", case, tmp_path / "out",
                 diagnostics=diagnostics_text(result.diagnostics, tmp_path / "mesh", ("DATAHUB",)))


def test_datahub_accepts_every_proposal(built, tmp_path):
    """One run of DataHub's package over every generated file, plus one file with an aspect DataHub
    does not know: the CLI passes it, the model round trip must not. The same run reads each events
    port's Avro schema (its KafkaSchema document) with DataHub's Avro converter, what its Kafka source
    does, and compares the field paths, nullability and types with meshgen's."""
    python = tool_bin("datahub", "python")
    unknown = tmp_path / "unknown-aspect.json"
    unknown.write_text(json.dumps([{"entityType": "dataset", "changeType": "UPSERT", "aspectName": "meshgenNoSuchAspect",
                                    "entityUrn": "urn:li:dataset:(urn:li:dataPlatform:kafka,x,PROD)",
                                    "aspect": {"json": {"x": 1}}}]))
    files = [p for out in built.values() for p in _bundle_files(out)]
    assert len(files) >= 12
    done = subprocess.run([str(python), str(CHECKER), *map(str, files), str(unknown)], capture_output=True,
                          text=True, timeout=900, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    problems = [p for p in report["problems"] if not p.startswith(str(unknown))]
    assert problems == []
    # the CLI accepted the unknown aspect; only the model round trip caught it
    assert [p for p in report["problems"] if p.startswith(str(unknown))] == [
        f"{unknown}[0] meshgenNoSuchAspect of urn:li:dataset:(urn:li:dataPlatform:kafka,x,PROD): "
        "not a typed proposal (unknown aspect or entity)"]
    assert report["files"] == len(files) + 1
    # every events port's Avro schema was read by DataHub's own Avro converter, and it agrees with
    # meshgen's fields; in the hostile meshes Avro itself cannot hold some names and enum symbols
    # (the avro target's notes say so), so only their proposals' validity is asserted
    assert report["aspects"]["avro-compared"] >= 5
    hostile = (str(built["hostile"]), str(built["hostile_text"]))
    assert [a for a in report["avro"] if not a.startswith(hostile)] == []
    assert set(report["aspects"]) >= {
        "datasetProperties", "schemaMetadata", "globalTags", "glossaryTerms", "glossaryTermInfo", "ownership",
        "domains", "domainProperties", "deprecation", "upstreamLineage", "dataProductProperties", "tagProperties",
        "institutionalMemory", "subTypes"}


def test_the_recipe_ingests_the_whole_bundle(built, tmp_path):
    """`datahub ingest` runs the generated recipe; only its sink is swapped for a file sink."""
    datahub = tool_bin("datahub", "datahub")
    folder = built["examples"] / "_mesh" / "datahub"
    recipe = YAML(typ="safe", pure=True).load((folder / "recipe.dhub.yaml").read_text(encoding="utf-8"))
    assert recipe["source"] == {"type": "file", "config": {"path": "mesh.json"}}
    assert recipe["sink"] == {"type": "datahub-rest",
                              "config": {"server": "${DATAHUB_GMS_URL}", "token": "${DATAHUB_GMS_TOKEN:-}"}}
    received = tmp_path / "received.json"
    recipe["sink"] = {"type": "file", "config": {"filename": str(received)}}
    run = tmp_path / "recipe.json"
    run.write_text(json.dumps(recipe))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAHUB_")}
    done = subprocess.run([str(datahub), "ingest", "-c", str(run), "--no-default-report"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    sent = _proposals(folder / "mesh.json")
    got = json.loads(received.read_text(encoding="utf-8"))
    key = lambda item: (item["entityUrn"], item["aspectName"])  # noqa: E731
    assert sorted(map(key, got)) == sorted(map(key, sent))
    # the bundle holds every product's proposals, each once
    products = {key(i) for p in _bundle_files(built["examples"]) if p.name == "mcps.json" for i in _proposals(p)}
    assert set(map(key, sent)) == products and len(sent) == len(products)


def _by_aspect(path: Path, aspect: str) -> dict[str, dict]:
    return {i["entityUrn"]: i["aspect"]["json"] for i in _proposals(path) if i["aspectName"] == aspect}


def test_lineage_points_at_the_producers_datasets(built):
    out = built["examples"]
    lineage = _by_aspect(out / "marketing/campaign_attribution/v1/datahub/mcps.json", "upstreamLineage")
    table = "urn:li:dataset:(urn:li:dataPlatform:bigquery,acme-analytics.marketing.campaign_attribution_v1,PROD)"
    orders = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.checkout.orders_v2,PROD)"
    customers = "urn:li:dataset:(urn:li:dataPlatform:postgres,crm.customers_v1,PROD)"
    assert [u["dataset"] for u in lineage[table]["upstreams"]] == [orders, customers]
    fine = lineage[table]["fineGrainedLineages"]
    # one entry per field an input port reads; a field the consumer keeps under its name is drawn to it
    first = fine[0]
    assert first["upstreams"] == [f"urn:li:schemaField:({orders},[version=2.0].[type=struct].[type=string].order_id)"]
    assert first["downstreams"] == [f"urn:li:schemaField:({table},[version=2.0].[type=struct].[type=string].order_id)"]
    assert len(fine) == 8 + 3
    # the producers' URNs are the ones the producers' own files declare
    declared = {urn for p in _bundle_files(out) for urn in _by_aspect(p, "schemaMetadata")}
    assert {orders, customers} <= declared


def test_field_paths_nullability_keys_and_classification(built):
    out = built["examples"]
    schemas = _by_aspect(out / "checkout/orders/v1/datahub/mcps.json", "schemaMetadata")
    table = schemas["urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.checkout.orders_v1,PROD)"]
    fields = {f["fieldPath"]: f for f in table["fields"]}
    sku = fields["[version=2.0].[type=struct].[type=array].[type=struct].items.[type=string].sku"]
    assert sku["nullable"] is False and sku["type"] == {"type": {"com.linkedin.schema.StringType": {}}}
    email = fields["[version=2.0].[type=struct].[type=string].customer_email"]
    assert email["globalTags"] == {"tags": [{"tag": "urn:li:tag:pii"}]}
    assert email["glossaryTerms"]["terms"] == [{"urn": "urn:li:glossaryTerm:Classification.Confidential"}]
    assert email["nativeDataType"] == "VARCHAR(320)" and email["nullable"] is True
    assert table["primaryKeys"] == ["[version=2.0].[type=struct].[type=string].order_id"]
    assert fields[table["primaryKeys"][0]]["isPartOfKey"] is True
    # a dataset without arrays keeps DataHub's v1 paths (what its SQL connectors downgrade to)
    flat = _by_aspect(out / "payments/transactions/v2/datahub/mcps.json", "schemaMetadata")
    paths = [f["fieldPath"] for s in flat.values() for f in s["fields"]]
    assert paths and not any(p.startswith("[version=2.0]") for p in paths)


def test_deprecation_ownership_domain_and_links(built):
    path = built["examples"] / "checkout/orders/v1/datahub/mcps.json"
    product = "urn:li:dataProduct:checkout/orders/v1"
    deprecation = _by_aspect(path, "deprecation")[product]
    assert deprecation["decommissionTime"] == 1814313600000  # 2027-06-30T00:00:00Z
    assert deprecation["replacement"] == "urn:li:dataProduct:checkout/orders/v2"
    assert "data://checkout/orders/v2" in deprecation["note"]
    table = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.checkout.orders_v1,PROD)"
    assert _by_aspect(path, "deprecation")[table]["replacement"] == table.replace("orders_v1", "orders_v2")
    assert _by_aspect(path, "ownership")[product]["owners"] == [
        {"owner": "urn:li:corpGroup:checkout-team", "type": "TECHNICAL_OWNER"},
        {"owner": "urn:li:corpuser:jane.doe@example.com", "type": "BUSINESS_OWNER"}]
    assert _by_aspect(path, "domains")[table] == {"domains": ["urn:li:domain:checkout"]}
    props = _by_aspect(path, "dataProductProperties")[product]
    assert props["externalUrl"] == SITE + "products/checkout/orders/v1/"
    assert {a["destinationUrn"] for a in props["assets"]} == set(_by_aspect(path, "schemaMetadata"))
    assert _by_aspect(path, "datasetProperties")[table]["customProperties"]["slo.freshness"] == "1h"
    assert not _by_aspect(built["examples"] / "checkout/orders/v2/datahub/mcps.json", "deprecation")


def test_no_site_url_no_link(built):
    text = (built["full_vocabulary"] / "logistics/shipments/v1/datahub/mcps.json").read_text(encoding="utf-8")
    assert "externalUrl" not in text and "products/logistics" not in text


def test_hostile_strings_arrive_byte_for_byte(built):
    from meshgen.model.loader import load_product

    out = built["hostile_text"]
    pf, _ = load_product(HOSTILE_TEXT / "dataproduct.yaml")
    p, ds = pf.product, pf.product.datasets[0]
    items = _proposals(out / "qa/hostile_text/v1/datahub/mcps.json")
    props = [i["aspect"]["json"] for i in items if i["aspectName"] == "datasetProperties"]
    assert props and all(x["description"] == ds.description for x in props)
    (product,) = [i["aspect"]["json"] for i in items if i["aspectName"] == "dataProductProperties"]
    assert product["name"] == p.title and product["description"] == p.purpose
    fields = [f for i in items if i["aspectName"] == "schemaMetadata" for f in i["aspect"]["json"]["fields"]]
    assert {f.get("description") for f in fields} >= {f.description for f in ds.fields}
    owners = {o["owner"] for i in items if i["aspectName"] == "ownership" for o in i["aspect"]["json"]["owners"]}
    assert owners == {"urn:li:corpGroup:qa team ✓ ünï"}
    # tags that hold DataHub's reserved characters are percent-encoded in the URN, named as written
    tags = _by_aspect(built["hostile"] / "qa/hostile/v0/datahub/mcps.json", "tagProperties")
    assert {t["name"] for t in tags.values()} >= set(HOSTILE_TAGS)
    for urn, tag in tags.items():
        assert unquote(urn.removeprefix("urn:li:tag:")) == (tag["name"] if tag["name"] != "PII" else "pii")
        assert not set(urn.removeprefix("urn:li:tag:")) & set(",()")


def test_same_bytes_on_every_build_and_hash_seed(tmp_path):
    digests = []
    for seed in ("0", "4242"):
        out = tmp_path / f"out-{seed}"
        done = subprocess.run([sys.executable, "-m", "meshgen", "build", str(copy_source(SPECS, tmp_path / seed)),
                               "-t", "datahub", "-o", str(out), "-q"], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stdout + done.stderr
        digests.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert digests[0] == digests[1] and len(digests[0]) >= 9


def test_meshgen_never_imports_datahub():
    """The target writes DataHub's JSON as plain data: the core install stays light."""
    for path in sorted((ROOT / "src" / "meshgen").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            assert not any(n == "datahub" or n.startswith("datahub.") for n in names), path


def test_the_mesh_files_proposals_are_the_joined_texts_of_each_products(tmp_path):
    """mesh.json is written from each proposal's JSON text (kept per product between builds): the
    serializer's bytes of the whole list, and what Jinja renders from an override of the template."""
    from meshgen.mesh.loader import load_mesh
    from meshgen.planner import plan_build, run_unit
    from meshgen.render import renderer_for
    from meshgen.serializer import json_text
    from meshgen.targets.datahub import json_list_text

    nested = [{"b": [1, {"c": "x\ny"}], "a": None}, {"e": []}, "\u2028", 1.5]
    for items in ([], nested[:1], nested):
        assert json_list_text([json_text(item).replace("\n", "\n  ") for item in items]) == json_text(items)
        assert json_list_text([json_text(item).replace("\n", "\n  ") for item in items], end="\n") == \
            json_text(items) + "\n"
    mesh, _ = load_mesh(SPECS)
    plan = plan_build(mesh, targets=["datahub"], incremental=False)
    [mesh_unit] = [u for u in plan.units if u.product is None]
    fast = run_unit(plan, mesh_unit).files["_mesh/datahub/mesh.json"]
    assert fast == json_text(json.loads(fast)) + "\n" and len(json.loads(fast)) > 10
    override = tmp_path / "templates/datahub"
    override.mkdir(parents=True)
    (override / "mcps.json.j2").write_text("{{ proposals | tojson }}\n\n")  # another template: rendered by Jinja
    plan.renderer, plan.template_digests = renderer_for(str(tmp_path / "templates")), {}
    assert run_unit(plan, mesh_unit).files["_mesh/datahub/mesh.json"] == fast + "\n"
