"""Adding a SQL dialect is one subclass (docs/architecture.md, "Adding a thing"): a throwaway
warehouse module, imported after meshgen.dialects as dialects/__init__.py imports each of its
modules, and the spec's table platforms, the sql target's dialects option, the docs' type table,
the DDL's quoting and NAM002's reserved words all follow, with no other edit.

It runs in a fresh interpreter: registration happens when the subclass is defined, before the
models read the registry, and the test session's own registry must stay the built-in one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from meshgen.dialects import DIALECTS

WAREHOUSE = '''
from meshgen.dialects.base import words
from meshgen.dialects.postgres import Postgres
from meshgen.model.types import Kind


class Fakehouse(Postgres):
    """A warehouse that is PostgreSQL but for its string type and one reserved word."""
    name = "fakehouse"
    RESERVED = Postgres.RESERVED | words("frobnicate")
    TYPE_MAPPING = {**Postgres.TYPE_MAPPING, Kind.STRING: "FAKETEXT"}
'''

PRODUCT = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: sales
name: orders
version: 1.0.0
description: {purpose: Orders placed in the shop.}
owner: {team: sales-team, email: sales@example.com}
datasets:
  - name: orders
    description: One row per order.
    primaryKey: [order_id]
    fields:
      - {name: order_id, type: uuid, required: true}
      - {name: frobnicate, type: string, description: A word only the fake warehouse reserves.}
outputPorts:
  - {name: orders-table, type: table, dataset: orders, platform: fakehouse, location: sales.orders_v1}
"""

DRIVER = '''
import json, sys
from pathlib import Path

import meshgen.dialects            # the built-in warehouses
import fakehouse                   # the new module: registered by being defined
from meshgen.api import build, check, schema
from meshgen.dialects import DIALECTS, dialect, reserved_anywhere
from meshgen.dialects.docs import type_table

mesh = Path(sys.argv[1])
checked = check(mesh)
built = build(mesh, output=mesh / "out")
ddl = sorted(p for p in (mesh / "out").rglob("*.sql") if "/fakehouse/" in p.as_posix())
print(json.dumps({
    "dialects": list(DIALECTS),
    "schema_platforms": "fakehouse" in schema(),
    "table_header": type_table().splitlines()[1],
    "reserved": reserved_anywhere().get("frobnicate"),
    "nam002": [d.message for d in checked.diagnostics if d.code == "NAM002"],
    "errors": [d.code for d in built.diagnostics if d.severity.label == "error"],
    "ddl": ddl[0].read_text() if ddl else None,
    "quoted": dialect("fakehouse").quote("frobnicate"),
}))
'''


def test_a_new_dialect_is_one_subclass(tmp_path):
    (tmp_path / "fakehouse.py").write_text(WAREHOUSE, encoding="utf-8")
    (tmp_path / "driver.py").write_text(DRIVER, encoding="utf-8")
    mesh = tmp_path / "mesh"
    (mesh / "sales" / "orders" / "v1").mkdir(parents=True)
    (mesh / "meshgen.yaml").write_text("name: case\ntargets:\n  sql: {dialects: [fakehouse]}\n"
                                       "governance:\n  rules:\n    NAM002: warning\n", encoding="utf-8")
    (mesh / "sales" / "orders" / "v1" / "dataproduct.yaml").write_text(PRODUCT, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(tmp_path / "driver.py"), str(mesh)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.splitlines()[-1])
    assert seen["dialects"][-1] == "fakehouse" and set(seen["dialects"]) == set(DIALECTS) | {"fakehouse"}
    assert seen["schema_platforms"], "the spec's JSON Schema does not offer the new platform"
    assert seen["table_header"].rstrip().endswith("| fakehouse |"), seen["table_header"]
    assert seen["reserved"] == ["fakehouse"]
    assert len(seen["nam002"]) == 1 and "frobnicate" in seen["nam002"][0] and "fakehouse" in seen["nam002"][0]
    assert seen["errors"] == []
    ddl = seen["ddl"]
    assert ddl is not None, "the sql target wrote no fakehouse DDL"
    assert '"frobnicate" FAKETEXT' in ddl, ddl
    assert seen["quoted"] == '"frobnicate"'
    assert "fakehouse" not in DIALECTS  # this session's registry is untouched
