"""Amundsen: the CSV records databuilder's standard CSV extractors load, for the whole mesh.

`_mesh/amundsen/` holds one file per extractor (databuilder.extractor.csv_extractor), each
column named as the extractor reads it:

| file | read by | one row per |
|---|---|---|
| `tables.csv` | CsvTableColumnExtractor (`table_file_location`), CsvTableBadgeExtractor | table |
| `columns.csv` | CsvTableColumnExtractor (`column_file_location`) | column, nested ones as `parent.child` |
| `table_badges.csv` | CsvTableBadgeExtractor (`badge_file_location`) | table with badges |
| `table_owners.csv` | CsvExtractor, model_class databuilder.models.table_owner.TableOwner | table with owners |
| `programmatic_descriptions.csv` | CsvExtractor, model_class databuilder.models.table_metadata.TableMetadata | table × source (SLOs, product) |
| `table_lineage.csv` | CsvTableLineageExtractor | producer table → consumer table |

A table is one `table`, `files` or `events` port: Amundsen's key `database://cluster.schema/name`
is the platform and the port's location (`DB.SCHEMA.TABLE`), or the mesh's cluster, the domain
and the topic. Key parts keep `[A-Za-z0-9_-]` (Amundsen's routes split on `.`, `/` and `:`), and
keys are handed out once for the whole mesh, so two ports never share a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Iterable

from pydantic import BaseModel, ConfigDict, Field as F

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.dialects import DIALECTS, dialect
from meshgen.mesh.links import product_page_url
from meshgen.model.loader import ProductFile
from meshgen.model.models import OutputPort, dotted_fields
from meshgen.model.types import DataType, Kind
from meshgen.output import Artifact
from meshgen.serializer import csv_document
from meshgen.targets.base import CANNOT_EXPRESS, NameScope, Target

TABLE_PORTS = ("table", "files", "events")
SLO_SOURCE = "meshgen_slos"
PRODUCT_SOURCE = "meshgen_product"
_NOT_KEY = re.compile(r"[^A-Za-z0-9_-]+")
_EMAIL = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+")
HEADERS = {
    "tables.csv": ["database", "cluster", "schema", "name", "description", "tags", "is_view"],
    "columns.csv": ["database", "cluster", "schema", "table_name", "name", "description", "col_type", "sort_order",
                    "badges"],
    "table_badges.csv": ["database", "cluster", "schema", "table_name", "name", "category"],
    "table_owners.csv": ["db_name", "schema", "cluster", "table_name", "owners"],
    "programmatic_descriptions.csv": ["database", "cluster", "schema", "name", "description", "tags",
                                      "description_source"],
    "table_lineage.csv": ["source_table_key", "target_table_key"],
}


class AmundsenOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster: str = F("default", min_length=1, description="The cluster of a table whose location names none "
                                                          "(a topic, files, a two-part table name).")


def key_part(text: str) -> str:
    return _NOT_KEY.sub("_", text).strip("_") or "_"


@dataclass(frozen=True)
class TableKey:
    database: str
    cluster: str
    schema: str
    name: str

    def __str__(self) -> str:  # databuilder's TableMetadata.TABLE_KEY_FORMAT
        return f"{self.database}://{self.cluster}.{self.schema}/{self.name}"


def table_keys(products: list[ProductFile], cluster: str) -> dict[tuple[str, int], TableKey]:
    """(address, port index) → its table, for every table/files/events port of the mesh: names
    unique within their schema (case-folded), handed out in address order."""
    scopes: dict[tuple[str, str, str], NameScope] = {}
    keys = {}
    for pf in sorted(products, key=lambda pf: (pf.product.address, str(pf.path))):
        p = pf.product
        for index, port in enumerate(p.outputPorts):
            if port.type not in TABLE_PORTS or (p.address, index) in keys:
                continue
            database, where, name = key_part((port.platform or port.type).lower()), [], ""
            if port.type == "table" and port.location:
                *where, name = [key_part(part) for part in port.location.split(".")]
            elif port.type == "events" and port.topic:
                name = key_part(port.topic)
            name = name or key_part(f"{p.name}_v{p.major}_{port.name}")
            schema = where[-1] if where else key_part(p.domain)
            home = "_".join(where[:-1]) if len(where) > 1 else key_part(cluster)
            scope = scopes.setdefault((database, home.casefold(), schema.casefold()), NameScope(fold=True))
            keys[(p.address, index)] = TableKey(database, home, schema, scope.claim(name))
    return keys


def type_text(t: DataType) -> str:
    """A column type in meshgen's grammar, structs spelled out: `array<struct<sku:string>>`."""
    if t.kind is Kind.STRUCT:
        return "struct<" + ",".join(f"{f.name}:{type_text(f.data_type)}" for f in t.fields) + ">"
    if t.kind is Kind.ARRAY:
        return f"array<{type_text(t.items)}>"
    if t.kind is Kind.MAP:
        return f"map<{type_text(t.values)}>"
    return str(t)


class AmundsenTarget(Target):
    name = "amundsen"
    description = "Amundsen databuilder CSV records (tables, columns, badges, owners, SLOs, lineage) for the mesh"
    scope = "mesh"
    reads = "mesh"
    part_reads = "neighbours"  # a product's rows: it and its producers (and their table keys)

    @staticmethod
    def part_reads_lock(pf: ProductFile) -> bool:
        return False  # Amundsen's rows hold no Protobuf numbers
    Options: ClassVar[type[BaseModel]] = AmundsenOptions
    codes = CodeFamily("AMUNDSEN", "The Amundsen records can express the product.", "docs/targets-amundsen.md", (
        DiagnosticCode("AMUNDSEN001", CANNOT_EXPRESS,
                       "a rest or grpc port is not a table: it has no Amundsen record"),
        DiagnosticCode("AMUNDSEN002", CANNOT_EXPRESS,
                       "an owner or productOwner is not an e-mail address: Amundsen's owners are users keyed by e-mail"),
    ), target="amundsen")

    def generate_mesh(self) -> Iterable[Artifact]:
        products = sorted(self.mesh.by_address().values(), key=lambda pf: pf.product.address)
        keys = table_keys(products, self.options.cluster)
        rows: dict[str, list[list[Any]]] = {file: [] for file in HEADERS}
        tables: dict[str, list[str]] = {}  # product address → its tables' keys, in port order
        for (address, _index), key in keys.items():
            tables.setdefault(address, []).append(str(key))
        for pf in products:
            # a product's rows read it, its producers (among its neighbours) and their tables' keys
            # (handed out over the whole mesh): kept from the last build while those stay
            related = sorted({pf.product.address, *(link.address for link in self.mesh.resolved(pf).inputs)})
            part = self.part(pf, lambda: self.product_rows(pf, keys, tables.get(pf.product.address, [])),  # noqa: B023
                             also=[[a, tables.get(a, [])] for a in related])
            for file, found in part.items():
                rows[file].extend(found)
        for file, header in HEADERS.items():
            # columns keep their table's order (sort_order); the other files are sets of rows
            records = rows[file] if file == "columns.csv" else sorted({tuple(str(v) for v in r) for r in rows[file]})
            yield Artifact(file, csv_document(header, [list(r) for r in records]))

    def product_rows(self, pf: ProductFile, keys: dict[tuple[str, int], TableKey],
                     mine: list[str]) -> dict[str, list[list[Any]]]:
        """One product's rows of each file (JSON data: a mesh unit's part); `mine`: its tables' keys."""
        rows: dict[str, list[list[Any]]] = {file: [] for file in HEADERS}
        for index, port in enumerate(pf.product.outputPorts):
            key = keys.get((pf.product.address, index))
            if key is None:
                self.unsupported("AMUNDSEN001", f"port {port.name!r} ({port.type}) is not a table: Amundsen has "
                                 "no record of it", pf.location("outputPorts", index, "type"),
                                 "its dataset is in Amundsen through the product's table, files or events ports")
                continue
            self.table_rows(pf, port, key, rows)
        self.lineage_rows(pf, keys, mine, rows["table_lineage.csv"])
        return rows

    def table_rows(self, pf: ProductFile, port: OutputPort, key: TableKey, rows: dict[str, list[list[Any]]]) -> None:
        p = pf.product
        ds = p.dataset(port.dataset)
        if ds is None:  # reported by the reference checks
            return
        at = [key.database, key.cluster, key.schema, key.name]
        tags = sorted({t for t in (re.sub(r"[\s,]+", "-", t.lower()).strip("-") for t in p.tags) if t})
        rows["tables.csv"].append([*at, ds.description or p.purpose, ",".join(tags), ""])
        warehouse = dialect(port.platform) if port.type == "table" and port.platform in DIALECTS else None
        for order, (path, f) in enumerate(dotted_fields(ds.fields)):
            col_type = warehouse.column_type(f.data_type, [], path, max_length=f.maxLength) if warehouse \
                else type_text(f.data_type)
            rows["columns.csv"].append([*at, path, f.description or "", col_type, order,
                                        ",".join(self.column_badges(pf, ds, path, f))])
        badges = [p.status] + ([p.classification] if p.classification != "public" else []) + (["pii"] if p.has_pii else [])
        rows["table_badges.csv"].append([*at, ",".join(badges), "data_product"])
        owners = self.owners(pf)
        if owners:
            rows["table_owners.csv"].append([key.database, key.schema, key.cluster, key.name, ",".join(owners)])
        for source, text in (("slos", self.slo_text(pf)), ("product", self.product_text(pf, port))):
            if text:
                rows["programmatic_descriptions.csv"].append(
                    [*at, text, "", SLO_SOURCE if source == "slos" else PRODUCT_SOURCE])

    def column_badges(self, pf: ProductFile, ds, path: str, f) -> list[str]:
        badges = []
        top = path.split(".")[0]
        if path in ds.primaryKey or (path == top and top in ds.primaryKey):
            badges.append("primary-key")
        if path in ds.partitionBy:
            badges.append("partition-key")
        if f.pii:
            badges.append("pii")
        level = self.mesh.resolved(pf).classification_of(ds.name, path)
        if level != "public":
            badges.append(level)
        if f.deprecated:
            badges.append("deprecated")
        return badges

    def owners(self, pf: ProductFile) -> list[str]:
        """The owner team's address and the product owner, as Amundsen's users (by e-mail)."""
        owner = pf.product.owner
        found = []
        for key in ("email", "productOwner"):
            value = getattr(owner, key)
            if value is None:
                continue
            if _EMAIL.fullmatch(value):
                found.append(value.lower())
            else:
                self.unsupported("AMUNDSEN002", f"owner.{key} {value!r} is not an e-mail address: it is not an "
                                 "Amundsen owner", pf.location("owner", key), "give the owner's e-mail address")
        return list(dict.fromkeys(found))

    def slo_text(self, pf: ProductFile) -> str:
        s = pf.product.slos
        if s is None:
            return ""
        lines = []
        if s.freshness:
            lines.append(f"- **Freshness**: the newest row is at most {s.freshness.threshold} old"
                         + (f" ({s.freshness.timestampField})" if s.freshness.timestampField else ""))
        if s.accuracy:
            lines.append(f"- **Accuracy**: {s.accuracy.target} of rows correct"
                         + (f" (check {s.accuracy.check})" if s.accuracy.check else ""))
        for label, slo in (("Completeness", s.completeness), ("Availability", s.availability)):
            if slo:
                lines.append(f"- **{label}**: {slo.target}")
        if s.retention:
            lines.append(f"- **Retention**: {s.retention.period}")
        if s.latency:
            lines.append(f"- **Latency**: at most {s.latency.threshold} from event to availability")
        return "\n".join(["### Service level objectives", *lines]) if lines else ""

    def product_text(self, pf: ProductFile, port: OutputPort) -> str:
        p = pf.product
        lines = [f"### Data product {p.address}", f"- **Version**: {p.version} ({p.status})",
                 f"- **Owner team**: {p.owner.team}", f"- **Port**: {port.name} ({port.type})"]
        if p.lifecycle and p.lifecycle.successor:
            lines.append(f"- **Successor**: {p.lifecycle.successor}"
                         + (f" (from {p.lifecycle.deprecationDate})" if p.lifecycle.deprecationDate else ""))
        lines += [f"- **Support**: {c.channel}" + (f" ({c.url})" if c.url else "") for c in p.support]
        page = product_page_url(self.mesh.config.site_url, p.address)
        if page:
            lines.append(f"- **Documentation**: {page}")
        return "\n".join(lines)

    def lineage_rows(self, pf: ProductFile, keys: dict[tuple[str, int], TableKey], mine: list[str],
                     out: list[list[Any]]) -> None:
        """Each table of a producer's dataset that an input port reads, to each table of this
        product (`mine`, its tables' keys)."""
        for link in self.mesh.resolved(pf).inputs:
            if link.producer is None:
                continue
            producer = link.producer.product
            for index, port in enumerate(producer.outputPorts):
                source = keys.get((producer.address, index))
                if source is not None and port.dataset == link.port.dataset:
                    out.extend([str(source), target] for target in mine if target != str(source))
