"""`meshgen import`: a dataproduct.yaml from what a team already has.

    odcs   an ODCS v3 data contract (YAML)            importers/odcs.py
    avro   Avro record schemas (.avsc, JSON)          importers/avro.py
    sql    CREATE TABLE statements in a SQL dialect   importers/sql.py (needs sqlglot: meshgen[import])

Each reader turns its source into datasets and ports as spec data with positioned findings
(IMP codes: what the spec cannot carry, at the source's line and column); product.py
assembles the product, and the result is validated against meshgen/v1 before it is returned.
What each format carries, and the round trips the tests prove, are in docs/import.md.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from meshgen.diagnostics import Diagnostic, Severity
from meshgen.errors import InputError, UsageError
from meshgen.importers.product import Findings, ImportOptions, assemble, checked, render

FORMATS = {"odcs": "meshgen.importers.odcs", "avro": "meshgen.importers.avro", "sql": "meshgen.importers.sql"}
SHOWN_AS = "dataproduct.yaml"  # where the generated text's own findings point when it is not yet written


@dataclass
class ImportResult:
    text: str  # the dataproduct.yaml
    product: dict  # the same, as data
    diagnostics: list[Diagnostic]  # positioned in the source files


def import_product(fmt: str, paths: list[Path], options: ImportOptions | None = None) -> ImportResult:
    """Read `paths` (one product's sources) in format `fmt` and return the spec they make.
    Raises InputError (exit 2) for a source that is unreadable or invalid in its own format."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown import format {fmt!r}: use {', '.join(FORMATS)}")
    if not paths:
        raise UsageError(f"meshgen import {fmt} needs at least one file")
    options = options or ImportOptions()
    findings = Findings()
    reader = importlib.import_module(FORMATS[fmt])
    imported = reader.read([Path(p) for p in paths], options, findings)
    if not imported.datasets:
        raise InputError("nothing to import", findings.items + [Diagnostic(
            "IMP008", Severity.ERROR, f"no dataset found in {', '.join(str(p) for p in paths)}", imported.source,
            "an import needs an Avro record, a CREATE TABLE or an ODCS schema object")])
    product = assemble(imported, options, findings)
    text = render(product, [Path(p).name for p in paths], fmt)
    errors = [d for d in checked(text, SHOWN_AS) if d.severity is Severity.ERROR]
    if errors:  # a source value the spec cannot hold slipped through: say where, write nothing
        raise InputError("the imported spec does not validate", findings.items + errors)
    return ImportResult(text, product, findings.items)


def write_product(text: str, output: Path, *, force: bool = False) -> None:
    """Write the imported spec to `output` atomically; an existing file only with `force`."""
    from meshgen.diagnostics import Location
    from meshgen.output import write_file_atomic

    if output.exists() and not force:
        raise UsageError(f"{output} exists", [Diagnostic(
            "IMP005", Severity.ERROR, f"{output} already exists", Location(str(output), 1, 1),
            "choose another -o path, or pass --force to overwrite it")])
    write_file_atomic(output, text)
