"""`meshgen test`: run a mesh's quality checks against live data, inside the engine.

For each selected product and dataset: find its table (`--table` override, else the location
of its table port on the engine's platform, else the product's schema or the bare dataset
name), check that the columns the checks read exist, then run every check and compare the
measured value with its threshold. A problem with the connection, a table or a column is a
diagnostic naming the dataset and the port; a query the engine rejects is an errored check
carrying the engine's message, and the other checks still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.errors import UsageError, ViolationsFound
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset
from meshgen.targets.quality_checks import Check, product_checks, table_reference
from meshgen.testing.connections import ConnectionProblem, Engine, QueryFailed, open_engine


@dataclass
class Outcome:
    product: str
    dataset: str
    table: str
    check: Check
    status: str  # "passed" | "failed" | "errored"
    measured: float | int | None = None
    message: str = ""

    @property
    def breaks_build(self) -> bool:
        return self.status != "passed" and self.check.severity == "error"


@dataclass
class TestRun:
    connection: str
    outcomes: list[Outcome] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(o.breaks_build for o in self.outcomes) or any(
            d.severity is Severity.ERROR for d in self.diagnostics)


def run_tests(path: Path | str | None, connection: str, *, tables: dict[str, str] | None = None,
              create: bool = False, products: list[str] | None = None) -> TestRun:
    """Run the checks of the products at `path` (or only the addresses in `products`)."""
    from meshgen.mesh.loader import load_mesh

    mesh, diagnostics = load_mesh(path)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise ViolationsFound("the mesh has errors; fix them before testing data", errors)
    selected = [pf for pf in mesh.selected_products() if products is None or pf.product.address in products]
    overrides = dict(tables or {})
    known = {ds.name for pf in selected for ds in pf.product.datasets}
    for name in sorted(set(overrides) - known):
        raise UsageError(f"--table {name}=...: no selected product has a dataset {name!r}", [Diagnostic(
            "TEST006", Severity.ERROR, f"--table names dataset {name!r}, which no selected product has",
            Location("<command line>"), f"datasets: {', '.join(sorted(known)) or '(none)'}")])
    try:
        engine = open_engine(connection)
    except ConnectionProblem as exc:
        raise UsageError(str(exc), [Diagnostic("TEST001" if exc.usage else "TEST002", Severity.ERROR, str(exc),
                                               Location("<command line>"), exc.hint)]) from None
    run = TestRun(connection)
    try:
        for pf in selected:
            checks, notes = product_checks(pf)
            run.diagnostics.extend(notes)
            for ds in pf.product.datasets:
                table = resolve_table(engine, pf, ds, overrides.get(ds.name), create, run)
                if table is not None:
                    run_dataset(engine, pf, ds, table, [c for c in checks if c.dataset == ds.name], run)
    finally:
        engine.close()
    return run


def resolve_table(engine: Engine, pf: ProductFile, ds: Dataset, override: str | None, create: bool,
                  run: TestRun) -> str | None:
    d = engine.dialect
    located, port = table_reference(pf, ds, d)
    where = pf.location(*pf.dataset_path(ds.name), "name")
    candidates = [override] if override is not None else [located]
    problems = []
    for table in candidates:
        try:
            engine.columns(table)
            return table
        except QueryFailed as exc:
            problems.append(f"{table}: {exc}")
    if create and override is None:
        from meshgen.testing.seed import create_and_load

        try:
            return create_and_load(engine, pf, ds, located)
        except QueryFailed as exc:
            run.diagnostics.append(Diagnostic(
                "TEST005", Severity.ERROR, f"{pf.product.address} dataset {ds.name}: --create could not create "
                f"or load its table: {exc}", where, "the DuckDB DDL of the sql target is what --create runs"))
            return None
    said = f"port {port}" if port else "no table port"
    run.diagnostics.append(Diagnostic(
        "TEST003", Severity.ERROR, f"{pf.product.address} dataset {ds.name} ({said}): table not found: "
        + "; ".join(problems), where,
        f"create it, pass --table {ds.name}=SCHEMA.TABLE, or give the table port a location on {d.name}"
        + ("; --create makes it from the DuckDB DDL and loads the examples" if d.name == "duckdb" else "")))
    return None


def run_dataset(engine: Engine, pf: ProductFile, ds: Dataset, table: str, checks: list[Check], run: TestRun) -> None:
    address = pf.product.address
    present = {c.lower() for c in engine.columns(table)}
    missing: set[str] = set()
    for i, f in enumerate(ds.fields):
        if f.name.lower() not in present:
            missing.add(f.name)
            port = next((p.name for p in pf.product.outputPorts if p.type == "table" and p.dataset == ds.name), None)
            run.diagnostics.append(Diagnostic(
                "TEST004", Severity.ERROR, f"{address} dataset {ds.name}"
                + (f" (port {port})" if port else "") + f": column {f.name} is missing from table {table}",
                pf.location(*pf.dataset_path(ds.name), "fields", i, "name"),
                "add the column, or map the dataset to the right table with --table"))
    for check in checks:
        gone = [c for c in check.columns if c in missing]
        if gone:
            run.outcomes.append(Outcome(address, ds.name, table, check, "errored",
                                        message=f"column {', '.join(gone)} is missing"))
            continue
        sql = check.sql(engine.dialect, table)
        if sql is None:
            run.outcomes.append(Outcome(address, ds.name, table, check, "errored",
                                        message=f"cannot be expressed in {engine.dialect.name}"))
            continue
        try:
            measured = as_number(engine.scalar(sql))
        except QueryFailed as exc:
            run.outcomes.append(Outcome(address, ds.name, table, check, "errored", message=str(exc)))
            continue
        passed = check.threshold.passes(measured)
        message = "" if measured is not None else "no value (is the table empty?)"
        run.outcomes.append(Outcome(address, ds.name, table, check, "passed" if passed else "failed",
                                    measured, message))


def as_number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise QueryFailed(f"the query returned {value!r}, not a number") from None


# The codes `meshgen test` reports (meshgen.reporting.codes collects every component's).
def _code_families():
    from meshgen.diagnostics import CodeFamily, DiagnosticCode

    return (CodeFamily("TEST", "meshgen test can reach the database and the product's tables and columns.",
                       "docs/targets-quality.md", (
        DiagnosticCode("TEST001", "error (exit 2)", "the connection URL is not one meshgen knows"),
        DiagnosticCode("TEST002", "error (exit 2)", "the engine cannot be reached, or its Python driver is not installed"),
        DiagnosticCode("TEST003", "error", "a dataset's table does not exist; names the product, dataset and table "
                                           "port, and where it looked"),
        DiagnosticCode("TEST004", "error", "a column of the contract is missing from the table; the checks that read "
                                           "it are errored"),
        DiagnosticCode("TEST005", "error", "`--create` could not create or load a table"),
        DiagnosticCode("TEST006", "error (exit 2)", "`--table DATASET=NAME` names a dataset no selected product has"),
    ), configurable=False),)


CODE_FAMILIES = _code_families()
