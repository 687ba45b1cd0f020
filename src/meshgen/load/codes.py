"""The codes the loader reports (meshgen.reporting.codes collects every component's)."""

from meshgen.diagnostics import CodeFamily, DiagnosticCode as C

E2 = "error (exit 2)"

CODE_FAMILIES = (CodeFamily("LOAD", "Reading files: the file exists, is UTF-8 and is plain YAML.", "docs/diagnostics.md", (
    C("LOAD001", E2, "the YAML does not parse (syntax, tab indentation, unclosed quote or bracket, nesting too deep); "
                     "the hint names where an unclosed construct starts"),
    C("LOAD002", E2, "a key appears twice in one mapping; points at the second, with the first as a related position"),
    C("LOAD003", E2, "a YAML tag (`!!python/object`, `!Ref`, any non-core tag) or a non-scalar key; nothing is ever "
                     "constructed from a tag"),
    C("LOAD004", E2, "an anchor/alias (`&a`, `*a`) or a merge key (`<<`): they repeat data and can expand exponentially"),
    C("LOAD005", E2, "the file is not UTF-8; points at the first bad byte"),
    C("LOAD006", E2, "a product file is empty (or only comments): start from `meshgen init`; an empty "
                     "`meshgen.yaml` is not an error (every setting takes its default)"),
    C("LOAD007", E2, "the path does not exist, cannot be read, or is a directory where a file was expected"),
    C("LOAD008", E2, "nesting deeper than 64 levels; points at the first collection that is too deep, found "
                     "where the parser reaches it (nothing below it is read)"),
    C("LOAD009", E2, "the file is larger than 8 MiB"),
    C("LOAD010", E2, "the file is a symlink that leads outside the mesh root, into /proc, /sys or /dev, or a "
                     "symlink loop (its content is never read or shown)"),
    C("LOAD011", E2, "the file is not a regular file (a FIFO, a device, a socket): never opened for reading"),
), configurable=False),)
