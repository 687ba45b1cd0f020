"""The amundsen target: golden files, and Amundsen databuilder's own CSV extractors (in the
amundsen tool venv, one subprocess over the example mesh, the full-vocabulary product and the
hostile fixtures) yield exactly the tables, columns in sort order, descriptions, tags, badges,
owners, SLO descriptions and lineage the specs say."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from meshgen.model.models import dotted_fields
from meshgen.targets.amundsen import PRODUCT_SOURCE, SLO_SOURCE, TABLE_PORTS, table_keys
from tests.conftest import tool_bin
from tests.support.golden import golden_cases
from tests.targets.jsonschema.meshes import build_validation_sources, build_and_check_golden

HERE = Path(__file__).parent


@pytest.mark.parametrize("case", golden_cases("amundsen"))
def test_golden(case, tmp_path):
    build_and_check_golden(["amundsen"], case, tmp_path)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    python = tool_bin("amundsen", "python")
    built = {name: (out / "_mesh" / "amundsen", result) for name, (out, result)
             in build_validation_sources(tmp_path_factory.mktemp("amundsen"), ["amundsen"]).items()}
    # databuilder opens the files in the locale's encoding: the records are UTF-8
    env = {**os.environ, "PYTHONUTF8": "1"}
    proc = subprocess.run([str(python), str(HERE / "read_records.py"), *(str(f) for f, _ in built.values())],
                          capture_output=True, text=True, timeout=600, env=env, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr[-3000:]
    read = json.loads(proc.stdout)
    return {name: (read[str(folder)], result) for name, (folder, result) in built.items()}


def _text(value: str | None) -> str:
    """What a reader with universal newlines gets back: line breaks as \\n."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def test_the_extractors_yield_every_table_and_column(extracted):
    for name, (read, result) in extracted.items():
        products = result.mesh.products
        keys = table_keys(products, "default")
        tables = {t["key"]: t for t in read["tables"]}
        expected = 0
        for pf in products:
            p = pf.product
            for index, port in enumerate(p.outputPorts):
                if port.type not in TABLE_PORTS:
                    assert (p.address, index) not in keys
                    continue
                expected += 1
                key = str(keys[(p.address, index)])
                table = tables[key]
                ds = p.dataset(port.dataset)
                assert table["description"] == _text(ds.description or p.purpose), (name, key)
                assert table["is_view"] is False
                assert table["tags"] == sorted({re.sub(r"[\s,]+", "-", t.lower()).strip("-") for t in p.tags} - {""})
                columns = [(c["sort_order"], c["name"], c["description"]) for c in table["columns"]]
                assert columns == [(i, path, _text(f.description)) for i, (path, f) in enumerate(dotted_fields(ds.fields))]
                assert read["badges"][key][0] == [p.status, "data_product"]
                if p.slos is not None:
                    assert read["programmatic"][key][SLO_SOURCE].startswith("### Service level objectives")
                assert p.address in read["programmatic"][key][PRODUCT_SOURCE]
                owners = [o.lower() for o in (p.owner.email, p.owner.productOwner) if o and "@" in o]
                assert read["owners"].get(key, []) == list(dict.fromkeys(owners)), (name, key)
        assert len(tables) == expected == len(read["tables"]), name


def test_the_example_mesh_records(extracted):
    read, result = extracted["specs"]
    tables = {t["key"]: t for t in read["tables"]}
    # a Snowflake table port: the location is the key, the columns have the warehouse's types
    orders = tables["snowflake://ANALYTICS.CHECKOUT/ORDERS_V2"]
    by_name = {c["name"]: c for c in orders["columns"]}
    assert by_name["customer_email"]["badges"] == ["pii", "confidential"]
    assert by_name["order_id"]["badges"] == ["primary-key"]
    assert "items.sku" in by_name  # nested fields as dotted columns, after their parent
    assert by_name["items.sku"]["sort_order"] == by_name["items"]["sort_order"] + 1
    assert set(orders["tags"]) == {"orders", "checkout", "tier-1"}
    assert read["programmatic"]["snowflake://ANALYTICS.CHECKOUT/ORDERS_V2"][SLO_SOURCE].count("\n- **") >= 3
    # the orders read the payments' transactions: lineage from each of its tables to each of the orders'
    sources = {src for src, dst in read["lineage"] if dst == "snowflake://ANALYTICS.CHECKOUT/ORDERS_V2"}
    assert sources == {t for t in tables if "transactions" in t.lower()}, sources
    deprecated = [k for k, badges in read["badges"].items() if ["deprecated", "data_product"] in badges]
    assert deprecated and all("v1" in k.lower() for k in deprecated)


def test_keys_are_unique_even_when_names_sanitize_alike():
    from types import SimpleNamespace

    def product(name, topic):
        port = SimpleNamespace(name="e", type="events", platform="kafka", topic=topic, location=None)
        return SimpleNamespace(product=SimpleNamespace(address=f"data://d/{name}/v1", name=name, major=1, domain="d",
                                                       outputPorts=[port]), path=Path(name))

    keys = table_keys([product("a", "x.y"), product("b", "x/y"), product("c", "X_Y")], "default")
    names = [str(k) for k in keys.values()]
    assert len(set(n.casefold() for n in names)) == 3, names
    assert all(k.name.replace("_", "").isalnum() for k in keys.values())
