#!/usr/bin/env python3
"""Synthetic meshes for the benchmarks: N products, deterministic by seed.

    python benchmarks/synthetic_mesh.py OUT --products 1000 [--seed 14]

Every product lives at <domain>/p<i>/v1/dataproduct.yaml (8 domains) and has:
  - the dataset `events` (event_id uuid, amount decimal(12,2), created_at timestamp, and 3-8 more
    fields drawn from the whole type grammar: strings with limits, ints, longs, doubles, floats,
    booleans, dates, times, timestamp_ntz, bytes, json, enums, arrays of scalars and of structs,
    maps, structs nested two deep, PII fields with a classification and a protection), a primary
    key, quality checks and an example row;
  - for one product in three a second dataset `snapshots`;
  - a table port (the platform varies), and by chance an events port (Kafka, Avro), a rest port
    and a files port;
  - SLOs, a pipeline (airflow or dagster) and, from the third product on, one to three input
    ports on earlier products (recent ones likelier, so the lineage has hubs and chains), each
    reading fields of their `events` dataset.
The same (N, seed) gives the same bytes. `inputPorts:` is always the last key (bench_docs.py
rewrites it).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

DOMAINS = ["checkout", "users", "payments", "marketing", "logistics", "inventory", "finance", "support"]
PLATFORMS = ["duckdb", "postgres", "snowflake", "bigquery", "databricks", "redshift"]
SEED = 14

# The extra fields of a dataset: (name, the flow-style YAML after `name: ..., `), drawn by chance.
SCALARS = [
    ("label", 'type: string, maxLength: 64, description: "A label: free text."'),
    ("country", 'type: string, pattern: "^[A-Z]{2}$", default: DE, description: Country code.'),
    ("quantity", "type: int, minimum: 0, description: How many."),
    ("counter", "type: long, description: A 64-bit counter."),
    ("score", "type: double, minimum: 0, maximum: 1, description: A score."),
    ("ratio", "type: float, description: A ratio."),
    ("active", "type: boolean, description: Whether it is active."),
    ("day", "type: date, description: The business day."),
    ("opens_at", "type: time, description: Opening time."),
    ("local_time", "type: timestamp_ntz, description: Wall-clock time."),
    ("payload", "type: bytes, description: Raw bytes."),
    ("extra", "type: json, description: Free-form JSON."),
    ("state", "type: enum, symbols: [NEW, OPEN, DONE, FAILED], description: State."),
    ("tags", 'type: "array<string>", description: Tags.'),
    ("attributes", 'type: "map<string>", description: Attributes.'),
    ("email", "type: string, maxLength: 320, pii: true, classification: confidential, protection: mask, "
              "description: E-mail address."),
    ("phone", "type: string, pii: true, classification: restricted, protection: hash, description: Phone."),
]
NESTED = [
    ("detail", """      - name: detail
        type: struct
        description: Detail.
        fields:
          - {name: code, type: int, required: true, description: Code.}
          - {name: note, type: string, description: Note.}
          - name: origin
            type: struct
            description: Where it came from.
            fields:
              - {name: source_system, type: string, required: true, description: System.}
              - {name: seen_at, type: timestamp, description: First seen.}
"""),
    ("items", """      - name: items
        type: array
        description: Line items.
        items:
          type: struct
          fields:
            - {name: sku, type: string, required: true, description: Stock keeping unit.}
            - {name: units, type: int, required: true, minimum: 1, description: Units.}
            - {name: unit_price, type: "decimal(10,2)", required: true, description: Price.}
"""),
]


def extra_fields(pick: random.Random) -> str:
    chosen = pick.sample(SCALARS, pick.randint(3, 7)) + pick.sample(NESTED, pick.randint(0, 2))
    lines = []
    for name, body in sorted(chosen):
        lines.append(body if body.startswith("      - name:") else f"      - {{name: {name}, {body}}}\n")
    return "".join(lines)


def events_dataset(i: int, pick: random.Random) -> str:
    return f"""  - name: events
    description: One row per event.
    primaryKey: [event_id]
    fields:
      - {{name: event_id, type: uuid, required: true, unique: true, description: Identifier.}}
      - {{name: amount, type: "decimal(12,2)", required: true, minimum: 0, description: Amount.}}
      - {{name: created_at, type: timestamp, required: true, description: Event time.}}
{extra_fields(pick)}    quality:
      - {{id: p{i}_unique, metric: duplicateValues, field: event_id, mustBe: 0}}
      - {{id: p{i}_amounts, description: No negative amount., dimension: accuracy, sql: "SELECT COUNT(*) FROM {{dataset}} WHERE amount < 0", mustBe: 0}}
    examples:
      - {{event_id: 0b4f8f6e-2c1e-4a4e-9d1a-1f7f5b3f9c11, amount: "1.00", created_at: "2026-01-01T00:00:00Z"}}
"""


def snapshots_dataset(pick: random.Random) -> str:
    return f"""  - name: snapshots
    description: One row per entity and day.
    primaryKey: [entity_id, day]
    partitionBy: [day]
    fields:
      - {{name: entity_id, type: string, maxLength: 36, required: true, description: Entity.}}
      - {{name: day, type: date, required: true, description: Snapshot day.}}
      - {{name: total, type: "decimal(18,4)", description: Total.}}
{extra_fields(pick).replace("name: day,", "name: business_day,")}"""


def output_ports(i: int, pick: random.Random, snapshots: bool) -> str:
    ports = [f"  - {{name: events-table, type: table, dataset: events, platform: {pick.choice(PLATFORMS)}}}\n"]
    if pick.random() < 0.4:
        ports.append(f"  - {{name: events-stream, type: events, dataset: events, platform: kafka, "
                     f"topic: {DOMAINS[i % len(DOMAINS)]}.p{i}.v1, format: avro}}\n")
    if pick.random() < 0.25:
        ports.append(f"  - {{name: events-api, type: rest, dataset: events, url: https://api.example.com/p{i}/v1}}\n")
    if snapshots:
        ports.append(f"  - {{name: snapshots-files, type: files, dataset: snapshots, platform: s3, format: parquet, "
                     f"location: s3://lake/p{i}/v1/}}\n")
    return "".join(ports)


def input_ports(i: int, pick: random.Random) -> str:
    """One to three earlier products, recent ones likelier (the graph stays acyclic)."""
    if i < 2:
        return ""
    backs = sorted({min(int(pick.paretovariate(1.2)), i) for _ in range(pick.choice((1, 1, 2, 3)))})
    ports = "".join(f"  - name: upstream{k}\n    product: data://{DOMAINS[(i - b) % len(DOMAINS)]}/p{i - b}/v1\n"
                    f"    dataset: events\n    fields: [event_id, amount, created_at]\n" for k, b in enumerate(backs))
    return "inputPorts:\n" + ports


def product_yaml(i: int, n: int, seed: int = SEED) -> str:
    """Product i of a mesh of n (n is kept for callers; products only read earlier ones)."""
    pick = random.Random(f"{seed}:{i}")
    domain = DOMAINS[i % len(DOMAINS)]
    snapshots = i % 3 == 1
    datasets = events_dataset(i, pick) + (snapshots_dataset(pick) if snapshots else "")
    orchestrator = pick.choice(("airflow", "dagster"))
    return f"""apiVersion: meshgen/v1
kind: DataProduct
domain: {domain}
name: p{i}
version: 1.{pick.randint(0, 9)}.{i}
title: Product {i}
status: active
tags: [{pick.choice(("tier-1", "tier-2", "tier-3"))}, synthetic]
description:
  purpose: "Synthetic product {i} for the benchmark."
  usage: Join on event_id.
owner: {{team: team-{i % 40}, email: team{i % 40}@example.com}}
support:
  - {{channel: "#team-{i % 40}", tool: slack}}
slos:
  freshness: {{threshold: 1h, timestampField: events.created_at}}
  accuracy: {{target: 99.9%, check: p{i}_unique}}
  completeness: {{target: 99.5%}}
  retention: {{period: 2y}}
datasets:
{datasets}outputPorts:
{output_ports(i, pick, snapshots)}pipeline: {{orchestrator: {orchestrator}, schedule: "*/15 * * * *", engine: sql}}
compatibility: backward
{input_ports(i, pick)}"""


def product_path(root: Path, i: int) -> Path:
    return root / DOMAINS[i % len(DOMAINS)] / f"p{i}" / "v1" / "dataproduct.yaml"


def make_mesh(root: Path, n: int, seed: int = SEED) -> list[Path]:
    """Write a mesh of n products under root; returns the product files in order."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "meshgen.yaml").write_text("name: bench\noutput: build\n")
    files = []
    for i in range(n):
        path = product_path(root, i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(product_yaml(i, n, seed))
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--products", type=int, default=100)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    make_mesh(args.out, args.products, args.seed)


if __name__ == "__main__":
    main()
