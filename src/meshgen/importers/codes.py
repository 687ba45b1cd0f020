"""The codes `meshgen import` reports (meshgen.reporting.codes collects every component's)."""

from meshgen.diagnostics import CodeFamily, DiagnosticCode as C

E2 = "error (exit 2)"
W = "warning"

CODE_FAMILIES = (CodeFamily("IMP", "`meshgen import`: what a source file holds, and what the spec cannot carry.",
                            "docs/import.md", (
    C("IMP001", E2, "the source file is not valid in its own format (an ODCS contract without the standard's "
                    "required structure, an Avro schema that is not a record, SQL that does not tokenize); points at the first problem"),
    C("IMP002", W, "a key, property or clause of the source has no place in meshgen/v1 and was left out"),
    C("IMP003", W, "a source type has no meshgen type: the field is imported as the nearest one (named in the message)"),
    C("IMP004", W, "a name or value was changed to fit the spec (a name with '/', a version that is not semantic, "
                   "a default that is not a valid value of its type)"),
    C("IMP005", E2, "the output file exists (`--force` overwrites it)"),
    C("IMP006", E2, "`meshgen import sql` needs sqlglot: `pip install 'meshgen[import]'`"),
    C("IMP007", W, "a SQL statement was not imported (not a CREATE TABLE, or sqlglot cannot parse it in the dialect)"),
    C("IMP008", E2, "the source holds nothing to import (no record, no table, an empty ODCS schema)"),
    C("IMP009", W, "the domain, name or version was not in the source (or not usable) and was derived or defaulted: "
                   "pass --domain/--name/--version"),
), configurable=False),)
