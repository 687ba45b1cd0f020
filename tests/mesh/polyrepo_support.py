"""Small repositories for the polyrepo tests: a producer (sales) and a consumer (finance)."""

from __future__ import annotations

import subprocess
from pathlib import Path

PRODUCER = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: sales
name: orders
version: {version}
description: {{purpose: Every order.}}
owner: {{team: sales-team, email: sales@example.com}}
datasets:
  - name: orders
    description: One row per order.
    primaryKey: [order_id]
    fields:
      - {{name: order_id, type: string, required: true, description: Identifier.}}
{extra}outputPorts:
  - {{name: orders-table, type: table, dataset: orders, platform: duckdb, location: sales.orders_v1}}
"""
TOTAL = "      - {name: total, type: 'decimal(12,2)', description: Order total.}\n"

CONSUMER = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: finance
name: revenue
version: 1.0.0
description: {{purpose: Revenue per day.}}
owner: {{team: finance-team, email: finance@example.com}}
datasets:
  - name: revenue
    description: One row per day.
    primaryKey: [day]
    fields:
      - {{name: day, type: date, required: true, description: The day.}}
inputPorts:
  - name: orders
    product: data://sales/orders/v1
    dataset: orders
    fields: [{fields}]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def producer_repo(root: Path, *, total: bool = True, indexes: list[str] = (), version: str = "1.0.0") -> Path:
    write(root / "meshgen.yaml", "name: sales-mesh\ntargets: [avro]\n" + _indexes(indexes))
    write(root / "orders" / "dataproduct.yaml", PRODUCER.format(version=version, extra=TOTAL if total else ""))
    return root


def consumer_repo(root: Path, *, indexes: list[str] = (), fields: str = "order_id, total") -> Path:
    write(root / "meshgen.yaml", "name: finance-mesh\ntargets: [avro]\n" + _indexes(indexes))
    write(root / "revenue" / "dataproduct.yaml", CONSUMER.format(fields=fields))
    return root


def _indexes(indexes) -> str:
    return "indexes:\n" + "".join(f"  - {entry}\n" for entry in indexes) if indexes else ""


def git_commit(root: Path) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(root), "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)
