"""The codes the spec models report (meshgen.reporting.codes collects every component's)."""

from meshgen.diagnostics import CodeFamily, DiagnosticCode as C

CODE_FAMILIES = (CodeFamily("SPEC", "The product follows the meshgen/v1 spec.", "docs/spec-reference.md", (
    C("SPEC001", "error", "the document is not a mapping at the top level"),
    C("SPEC002", "error", "unknown key; the hint suggests the nearest known key (`requierd` → `required`) or lists "
                          "the allowed ones"),
    C("SPEC003", "error", "a required key is missing (reported at the mapping that lacks it)"),
    C("SPEC004", "error", 'a value has the wrong type or an invalid value (not one of the allowed words, not a semantic version, a name with `/`, `..` or control characters, a domain or product name with `:` or whitespace (they are parts of a `data://` address), bounds that contradict each other, ...)'),
    C("SPEC005", "error", "`apiVersion` is not `meshgen/v1`"),
    C("SPEC006", "error", "a field type does not parse (`strng`, `decimal(40,2)`, `array<enum>`), or nests more than 15 levels of `array<`/`map<` (BigQuery's limit for nested columns, the smallest of the targets; a struct's fields count too, as SPEC004 at the field)"),
    C("SPEC010", "error", "an example row does not match its dataset (wrong type, missing required field, too long, "
                          "outside min/max, not matching the pattern, too many decimal digits)"),
    C("SPEC011", "error", "a field's own `default` or `examples` break its constraints (`maxLength`, `minLength`, `pattern`, `minimum`, `maximum`); points at the value"),
    C("SPEC012", "error", 'a value no artifact can carry: `.nan`, `.inf` or `-.inf` (JSON, Avro and SQL have no literal for them), a NUL character or a lone surrogate in any text or key; points at the value'),
    C("SPEC013", "error", 'two names that differ as written collide once a target folds case or sanitizes them: fields `note` and `Note` (one SQL column), datasets `a_b`, `a-b` and `AB` (one file name, Avro full name and proto message `AB`); points at the later name, with the first as a related position'),
    C("SPEC014", "error", "a `maxLength` above what a table port's warehouse can declare (PostgreSQL 10,485,760; Redshift 65,535 bytes; Snowflake 16,777,216)"),
), configurable=False),)
