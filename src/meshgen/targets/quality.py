"""Quality checks: every check the contract implies, as a query per SQL dialect.

`quality/checks.json` is the machine-readable manifest of every check of the product (id,
dataset, dimension, severity, threshold, spec position and the query in each dialect);
`quality/<dialect>/<dataset>.sql` holds the same queries for people and SQL runners. A check a
dialect cannot state is a positioned warning (QUAL003), never a silent gap. `meshgen test`
runs the same checks (built by `meshgen.targets.quality_checks`) against live data.
"""

from __future__ import annotations

from typing import Iterable, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field as F

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.targets.base import CANNOT_EXPRESS
from meshgen.model.loader import ProductFile
from meshgen.output import Artifact
from meshgen.serializer import json_document
from meshgen.targets.base import TemplateInfo, Target
from meshgen.targets.sql import product_dialects
from meshgen.dialects import dialect
from meshgen.targets.quality_checks import Check, manifest_entry, nested_constraints, product_checks, table_reference

DialectName = Literal["postgres", "snowflake", "bigquery", "databricks", "duckdb", "redshift"]


class QualityOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dialects: Optional[list[DialectName]] = F(
        None, description="The dialects to write (default: the platforms of the product's table ports, plus duckdb).")


class QualityTarget(Target):
    name = "quality"
    codes = CodeFamily("QUAL", "The quality target can express the product's checks in each dialect.",
                       "docs/targets-quality.md", (
        DiagnosticCode("QUAL001", "warning", "a freshness SLO's `timestampField` is not a top-level timestamp or "
                                             "date field: freshness is not checked"),
        DiagnosticCode("QUAL003", CANNOT_EXPRESS, "a quality check cannot be expressed in a dialect (a pattern with "
                                                  "lookaround or backreferences on an RE2 or POSIX regex engine)"),
    ), target="quality")
    templates = {"quality/checks.sql.j2": TemplateInfo("one dataset's quality-check queries in one dialect", (
        ("address", "the product address"), ("dataset", "the dataset name"), ("dialect", "the dialect name"),
        ("checks", "one row per check: id, dimension, severity and its query parts"),
    ))}
    description = "Data-quality check queries per SQL dialect and a manifest of every check (run by `meshgen test`)"
    Options = QualityOptions

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        names = sorted(set(self.options.dialects if self.options.dialects is not None
                           else product_dialects(pf) + ["duckdb"]))
        checks, notes = product_checks(pf)
        self.context.diagnostics.extend(notes)
        tables = {name: {ds.name: table_reference(pf, ds, dialect(name))[0] for ds in pf.product.datasets}
                  for name in names}
        try:
            file = pf.path.resolve().relative_to(self.mesh.root.resolve()).as_posix()
        except ValueError:
            file = pf.path.name
        entries = []
        for check in checks:
            entry = manifest_entry(check, names, {n: tables[n][check.dataset] for n in names}, file)
            missing = [n for n, text in entry["sql"].items() if text is None]
            if missing:
                self.unsupported("QUAL003", f"check {check.id} cannot be expressed in {', '.join(missing)}: "
                                 "the pattern needs lookaround or backreferences, which its regex engine lacks",
                                 check.location, "simplify the pattern, or test this dataset on a warehouse "
                                 "whose regex engine has them (PostgreSQL, Spark/Databricks)")
            entries.append(entry)
        p = pf.product
        # Constraints inside nested fields are held by the column types (STRUCT members, NOT NULL
        # where the warehouse has it); the manifest lists them rather than pretending to measure them.
        nested = {ds.name: nested_constraints(ds) for ds in p.datasets if nested_constraints(ds)}
        manifest = {"product": p.address, "version": p.version, "dialects": names,
                    "tables": tables, "checks": entries, "not_measured": nested}
        yield Artifact("checks.json", json_document(manifest))
        for name in names:
            for ds in p.datasets:
                # each query as the manifest holds it: built once per check and dialect
                rows = [self.row(c, entry["sql"][name]) for c, entry in zip(checks, entries) if c.dataset == ds.name]
                yield Artifact(f"{name}/{ds.name}.sql", self.render(
                    "checks.sql.j2", address=p.address, dataset=ds.name, dialect=name, checks=rows))

    @staticmethod
    def row(check: Check, sql: str | None) -> dict:
        return {"id": check.id, "dimension": check.dimension, "severity": check.severity,
                "threshold": check.threshold.describe(), "unit": check.unit, "source": str(check.location),
                "sql": sql}
