"""The codes the mesh reports (meshgen.reporting.codes collects every component's)."""

from meshgen.diagnostics import CodeFamily, DiagnosticCode as C

CODE_FAMILIES = (
    CodeFamily("CONF", "meshgen.yaml is valid.", "docs/configuration.md", (
        C("CONF001", "error", "meshgen.yaml is invalid (unknown key, wrong type)"),
        C("CONF002", "error (exit 2)", "an unknown target name"),
        C("CONF003", "error (exit 2)", "`templates:` names a folder that does not exist, or is not a folder"),
        C("CONF004", "error", "`diagnostics:` names a code or family meshgen does not report, or one whose level "
                              "cannot be set (the hint suggests the nearest code)"),
        C("CONF005", "error (exit 2)", "`output:` or `templates:` leaves the mesh root (`../..`, an absolute path, "
                                       "a symlink out of it), or `output:` is the mesh root itself"),
    ), configurable=False),
    CodeFamily("MESH", "References between the products of the mesh resolve.", "docs/diagnostics.md", (
        C("MESH000", "error (exit 2)", "no product files found"),
        C("MESH001", "error", "two files define the same address `data://<domain>/<name>/v<major>`"),
        C("MESH002", "error", "an input port names a product that is not in the mesh (a warning for a product "
                              "loaded alone)"),
        C("MESH003", "error", "an input port names a dataset the producer does not have"),
        C("MESH004", "error", "an input port lists a field the producer's dataset does not have"),
        C("MESH005", "error", "`lifecycle.successor` is not in the mesh"),
        C("MESH006", "error", "input ports read in a circle (reported at each input port of the circle, naming it) "
                              "or a product reads its own address"),
        C("MESH007", "error", "a product of another repository (from an index in `indexes:`) reads a dataset or a "
                              "field this product does not have: named at the producer, with the consumer's address, "
                              "team and index"),
    )),
    CodeFamily("INDEX", "Other repositories' mesh indexes (`indexes:` in meshgen.yaml) can be read.",
               "docs/polyrepo.md", (
        C("INDEX001", "error (exit 2)", "an index cannot be read: the file is missing, the server is unreachable or "
                                        "answers with an error, TLS fails (named at its `indexes:` line)"),
        C("INDEX002", "error (exit 2)", "offline (`--offline`, MESHGEN_OFFLINE=1) and no cached copy of an https:// "
                                        "index"),
        C("INDEX003", "error (exit 2)", "an index is larger than the limit (8 MiB)"),
        C("INDEX004", "error (exit 2)", "an index is not a meshgen index: not UTF-8 JSON, another `indexFormat`, or "
                                        "not the shape of docs/index.schema.json (positioned in the index)"),
        C("INDEX005", "warning", "an index defines a product this mesh (or an earlier index) already defines; the "
                                 "first definition is used"),
        C("INDEX006", "warning", "a product of an index is not a valid product (a bad type, a bad address); it is "
                                 "left out"),
    ), configurable=False),
    CodeFamily("REF", "References inside a product resolve (keys, ports, SLOs, quality checks).",
               "docs/diagnostics.md", (
        C("REF001", "error", "a `primaryKey`/`partitionBy` field does not exist, is not `required` (primary key) or "
                             "is not a scalar"),
        C("REF002", "error", "an output port serves a dataset the product does not have"),
        C("REF003", "error", "`slos.freshness.timestampField` is not `<dataset>.<field>` of a timestamp field"),
        C("REF004", "error", "`slos.accuracy.check` is not the id of a quality check of the product"),
        C("REF005", "error", "a quality check's `field` does not exist"),
        C("REF006", "error", 'a `primaryKey` or `partitionBy` lists a field twice'),
        C("REF007", "error", "a quality-check id or a port name is used twice"),
        C("REF008", "error", "a deprecated field's `replacedBy` is not a field of its dataset"),
    )),
)
