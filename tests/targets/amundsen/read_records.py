"""Runs Amundsen databuilder's own CSV extractors over folders of the amundsen target's records
and prints what they yield, as JSON (run in the amundsen tool venv, never imports meshgen).

Every record is also walked as databuilder's Neo4j CSV loader walks it (its nodes and relations),
so a record the loader could not serialize fails here.

    python read_records.py FOLDER... → {FOLDER: {"tables": [...], "badges": {...}, ...}}
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pyhocon import ConfigFactory

from databuilder.extractor.csv_extractor import (
    CsvExtractor, CsvTableBadgeExtractor, CsvTableColumnExtractor, CsvTableLineageExtractor,
)


def records(extractor, config: dict) -> list:
    extractor.init(ConfigFactory.from_dict(config))
    out = []
    while (record := extractor.extract()) is not None:
        while record.create_next_node() is not None:
            pass
        while record.create_next_relation() is not None:
            pass
        out.append(record)
    return out


def read(folder: Path) -> dict:
    tables = str(folder / "tables.csv")
    result: dict = {"tables": [], "badges": {}, "owners": {}, "programmatic": {}, "lineage": []}
    for t in records(CsvTableColumnExtractor(), {"table_file_location": tables,
                                                 "column_file_location": str(folder / "columns.csv")}):
        result["tables"].append({
            "key": t._get_table_key(), "description": t.description.text if t.description else None,
            "tags": t.tags, "is_view": t.is_view,
            "columns": [{"name": c.name, "type": c.type, "sort_order": c.sort_order, "badges": [b.name for b in c.badges],
                         "description": c.description.text if c.description else None} for c in t.columns],
        })
    for b in records(CsvTableBadgeExtractor(), {"table_file_location": tables,
                                                "badge_file_location": str(folder / "table_badges.csv")}):
        result["badges"][b.start_key] = [[badge.name, badge.category] for badge in b.badges]
    for o in records(CsvExtractor(), {"file_location": str(folder / "table_owners.csv"),
                                      "model_class": "databuilder.models.table_owner.TableOwner"}):
        result["owners"][o.start_key] = o.owner_emails
    for d in records(CsvExtractor(), {"file_location": str(folder / "programmatic_descriptions.csv"),
                                      "model_class": "databuilder.models.table_metadata.TableMetadata"}):
        result["programmatic"].setdefault(d._get_table_key(), {})[d.description.source] = d.description.text
    for lineage in records(CsvTableLineageExtractor(),
                           {"table_lineage_file_location": str(folder / "table_lineage.csv")}):
        result["lineage"] += [[lineage.table_key, target] for target in lineage.downstream_deps]
    return result


if __name__ == "__main__":
    print(json.dumps({folder: read(Path(folder)) for folder in sys.argv[1:]}, ensure_ascii=False))
