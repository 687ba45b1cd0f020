"""dbt: model properties with enforced contracts, one file per product across its versions.

A mesh-scope target: `_mesh/dbt/models/<domain>/<product>.yml` holds one dbt model per
dataset, and when several major versions of the product are live (v1 and v2 side by side)
the model carries dbt `versions` with `latest_version` and each version's `deprecation_date`.
Column `data_type`s come from the SQL dialect of the product's warehouse (the same mapping as
the `sql` target: one meaning per spec key).

Strings that dbt renders with Jinja (descriptions, test arguments) are escaped so that text
such as `{{ ... }}` in a spec stays text.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Optional

from pydantic import BaseModel, ConfigDict, Field as F

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.serializer import yaml_document
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset
from meshgen.model.types import Kind
from meshgen.targets.base import CANNOT_EXPRESS, TemplateInfo, Target
from meshgen.dialects import Dialect, dialect
from meshgen.targets.sql import DialectName, checks, product_dialects


class DbtOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    warehouse: Optional[DialectName] = F(
        None, description="The warehouse whose types fill `data_type` (default: the platform of the product's "
                          "first table port, else duckdb).")


def jinja_text(text: str) -> str:
    """Text that dbt's Jinja renders back to itself."""
    if "{" not in text or not any(opener in text for opener in ("{{", "{%", "{#")):  # most text: one scan
        return text
    return text.replace("{", "{{ '{' }}")


def model_names(products: list[ProductFile]) -> dict[tuple[str, str, str], str]:
    """(domain, product, dataset) → dbt model name: the product's name for its namesake dataset,
    else `<product>__<dataset>`; prefixed with the domain where two domains would clash."""
    keys = sorted({(pf.product.domain, pf.product.name, ds.name) for pf in products for ds in pf.product.datasets})
    short = {k: k[1] if k[2] == k[1] else f"{k[1]}__{k[2]}" for k in keys}
    count: dict[str, int] = defaultdict(int)
    for name in short.values():
        count[name] += 1
    return {k: (f"{k[0]}__{n}" if count[n] > 1 else n) for k, n in short.items()}


class DbtTarget(Target):
    name = "dbt"
    codes = CodeFamily("DBT", "The dbt target can express the product.", "docs/targets-dbt.md", (
        DiagnosticCode("DBT001", CANNOT_EXPRESS,
                       'a dbt column `data_type` loses part of the type in the chosen warehouse (as SQL001)'),
        DiagnosticCode("DBT002", CANNOT_EXPRESS,
                       'a value constraint is not in the dbt contract: the chosen warehouse has no CHECK constraints'),
    ), target="dbt")
    description = "dbt model properties (models/<domain>/<product>.yml) with enforced contracts, tests and versions"
    scope = "mesh"
    Options = DbtOptions
    templates = {"dbt/models.yml.j2": TemplateInfo(
        "one product's dbt property file (`models/<domain>/<product>.yml`), all its live versions", (
            ("body", "the YAML document (models, columns, contracts, tests, versions), already serialized"),
            ("addresses", "the product versions' addresses, for the header comment"),
        ))}

    @staticmethod
    def part_reads_lock(pf: ProductFile) -> bool:
        return False  # a model file has no Protobuf numbers

    def generate_mesh(self) -> Iterable[Artifact]:
        live = [pf for pf in self.mesh.products if pf.product.status != "retired"]
        names = model_names(live)
        groups: dict[tuple[str, str], list[ProductFile]] = defaultdict(list)
        for pf in live:
            groups[(pf.product.domain, pf.product.name)].append(pf)
        for (domain, product), versions in sorted(groups.items()):
            versions.sort(key=lambda pf: pf.product.major)
            yield Artifact(f"models/{domain}/{product}.yml",
                           self.render("models.yml.j2", body=self.body(versions, names),
                                       addresses=[pf.product.address for pf in versions]))

    def body(self, versions: list[ProductFile], names: dict) -> str:
        """The YAML document of one product's live versions. One version reads only its own file
        and its models' names (mesh-wide: a name two domains share is prefixed): a part, kept
        between builds (Target.part); several versions are one document, made each time."""
        if len(versions) > 1:
            return yaml_document(self.document(versions, names))
        p = versions[0].product
        models = sorted([ds.name, names[(p.domain, p.name, ds.name)]] for ds in p.datasets)
        return self.part(versions[0], lambda: yaml_document(self.document(versions, names)), models)

    def warehouse(self, versions: list[ProductFile]) -> str:
        if self.options.warehouse:
            return self.options.warehouse
        for pf in reversed(versions):
            found = product_dialects(pf)
            if found:
                return found[0]
        return "duckdb"

    def document(self, versions: list[ProductFile], names: dict) -> dict:
        d = dialect(self.warehouse(versions))
        latest = latest_version(versions)
        datasets: dict[str, list[ProductFile]] = defaultdict(list)
        for pf in versions:
            for ds in pf.product.datasets:
                datasets[ds.name].append(pf)
        models = []
        for ds_name, holders in datasets.items():
            top = next((pf for pf in holders if pf is latest), holders[-1])
            p = top.product
            ds = p.dataset(ds_name)
            model: dict[str, Any] = {"name": names[(p.domain, p.name, ds_name)]}
            if ds.description:
                model["description"] = jinja_text(ds.description)
            model["config"] = {
                "contract": {"enforced": True},
                "meta": {"meshgen": {"address": p.address, "dataset": ds_name, "owner": p.owner.team}},
            }
            if len(holders) == 1:
                unexpressed = self.columns_into(model, top, ds, d)
                if len(ds.primaryKey) > 1:
                    model["constraints"] = [{"type": "primary_key", "columns": list(ds.primaryKey)}]
            else:
                model["latest_version"] = (latest if latest in holders else holders[-1]).product.major
                model["versions"] = []
                unexpressed = []
                for pf in holders:
                    vds = pf.product.dataset(ds_name)
                    version: dict[str, Any] = {"v": pf.product.major}
                    lc = pf.product.lifecycle
                    if lc and lc.deprecationDate:
                        version["deprecation_date"] = lc.deprecationDate.isoformat()
                    unexpressed += self.columns_into(version, pf, vds, d)
                    if len(vds.primaryKey) > 1:
                        version["constraints"] = [{"type": "primary_key", "columns": list(vds.primaryKey)}]
                    version["config"] = {"meta": {"meshgen": {"address": pf.product.address}}}
                    model["versions"].append(version)
            if unexpressed:
                # Checks dbt has no built-in test for stay visible (the quality targets run them).
                model["config"]["meta"]["meshgen"]["checks_not_in_dbt"] = sorted(set(unexpressed))
            models.append(model)
        return {"version": 2, "models": models}

    def columns_into(self, node: dict, pf: ProductFile, ds: Dataset, d: Dialect) -> list[str]:
        """Fill `columns` of a model or version; returns the ids of checks dbt cannot express."""
        tests, unexpressed = quality_tests(ds)
        key = ds.primaryKey[0] if len(ds.primaryKey) == 1 else None  # a one-column primary key
        node["columns"] = [self.column(pf, ds, i, f, d, f.name == key, tests.get(f.name, ()))
                           for i, f in enumerate(ds.fields)]
        return unexpressed

    def column(self, pf: ProductFile, ds: Dataset, i: int, f, d: Dialect, key: bool, tests) -> dict[str, Any]:
        """One column of a model: its type, constraints, tests and meta (each read once: a wide
        dataset has 100,000 of them)."""
        losses: list[str] = []
        t = f.data_type
        name = f.name
        col: dict[str, Any] = {"name": name, "data_type": d.column_type(t, losses, name, f.maxLength,
                                                                       symbols_tested=True)}
        if losses:
            self.unsupported("DBT001", f"dbt ({d.name}): column {ds.name}.{name} ({f.type}) loses part of its "
                             "type: " + "; ".join(losses), pf.location(*pf.dataset_path(ds.name), "fields", i, "type"),
                             "set targets.dbt.warehouse to a warehouse with nested types, or accept the fallback")
        quoted = d.quote(name)
        if quoted != name:
            col["quote"] = True  # reserved word or mixed case: dbt must quote it like the DDL does
        if f.description:
            col["description"] = jinja_text(f.description)
        constraints = []
        if f.required and (d.array_not_null or t.kind is not Kind.ARRAY):
            constraints.append({"type": "not_null"})
        if key:
            constraints.append({"type": "primary_key"})
        elif f.unique:
            constraints.append({"type": "unique"})
        conditions, unchecked = checks(d, f, quoted, symbols=False)
        constraints += [{"type": "check", "expression": jinja_text(c)} for c in conditions]
        if unchecked:
            self.unsupported("DBT002", f"dbt ({d.name}): {', '.join(said for _, said in unchecked)} of "
                             f"{ds.name}.{name} {'is' if len(unchecked) == 1 else 'are'} not in the contract "
                             f"({d.name} has no CHECK constraints)",
                             pf.location(*pf.dataset_path(ds.name), "fields", i, unchecked[0][0]),
                             "add a quality check with `sql:` for it, or set targets.dbt.warehouse to a "
                             "warehouse with CHECK constraints")
        if constraints:
            col["constraints"] = constraints
        col_tests: list[Any] = ["unique"] if f.unique or key else []
        col_tests += [test for test in tests if test not in col_tests]
        if t.kind is Kind.ENUM:
            col_tests.append({"accepted_values": {"arguments": {
                "values": [jinja_text(d.literal_body(s)) for s in t.symbols]}}})
        if col_tests:
            col["data_tests"] = col_tests
        if f.pii or f.classification or f.protection or f.deprecated or f.default is not None:
            meta = {k: v for k, v in (("pii", f.pii), ("classification", f.classification),
                                       ("protection", f.protection), ("deprecated", f.deprecated)) if v}
            if f.default is not None:  # a dbt contract has no column default: the value is stated here
                meta["default"] = jinja_text(f.default) if isinstance(f.default, str) else f.default
            if meta:
                col["meta"] = meta
        return col


def quality_tests(ds: Dataset) -> tuple[dict[str, list[str]], list[str]]:
    """Quality checks that are exactly a dbt built-in test: no duplicates → unique, no nulls → not_null."""
    tests: dict[str, list[str]] = defaultdict(list)
    unexpressed = []
    for q in ds.quality:
        exact_zero = q.mustBe is not None and q.mustBe in (0, "0%")
        top_level = q.field is not None and ds.field(q.field) is not None
        if q.metric == "duplicateValues" and exact_zero and top_level:
            tests[q.field].append("unique")
        elif q.metric == "nullValues" and exact_zero and top_level:
            tests[q.field].append("not_null")
        else:
            unexpressed.append(q.id)
    return tests, unexpressed


def latest_version(versions: list[ProductFile]) -> ProductFile:
    """The newest active version; drafts above it are dbt prereleases."""
    for status in ("active", "deprecated"):
        found = [pf for pf in versions if pf.product.status == status]
        if found:
            return found[-1]
    return versions[-1]


