"""The codes the contract checks report (the BRK codes come from the change rules, rules.py)."""

from meshgen.diagnostics import CodeFamily, DiagnosticCode as C

CODE_FAMILIES = (
    CodeFamily("VERSION", "Versions and consumers follow the contract (version bumps, deprecations, retired versions).",
               "docs/contracts.md", (
        C("VERSION000", "error", "`diff`: the two files are not versions of the same domain/name"),
        C("VERSION001", "error", "the version number went backwards"),
        C("VERSION002", "error", "a breaking change shipped as a minor or patch bump (or with no bump)"),
        C("VERSION003", "warning", "the contract changed but the version did not"),
        C("VERSION004", "error", "a file that held vN now declares another major in place (a new major is a new file)"),
        C("VERSION005", "error", "a product version was deleted or retired while consumers still read it"),
        C("VERSION006", "info", "a product version was deleted and nothing read it"),
        C("VERSION007", "error", "a consumer reads a retired product version"),
        C("VERSION008", "warning (error past the deprecation date)", "a consumer reads a deprecated version"),
        C("VERSION009", "warning", "an older major is still `active` beside a newer active one"),
        C("VERSION010", "error", "`lifecycle.successor` is not a newer major version of the product"),
        C("VERSION011", "warning (error past the deprecation date)",
          "a consumer's input port reads a deprecated field, with `replacedBy` and `deprecationDate`"),
    )),
    CodeFamily("BASE", "The baseline revision to compare against can be read.", "docs/contracts.md", (
        C("BASE001", "error", "the baseline revision does not exist in the repository"),
        C("BASE002", "error", "a file could not be read from git (`REV:path`)"),
        C("BASE003", "warning", "a baseline file is not a valid product; it is not compared"),
        C("BASE004", "warning / error", "no git repository (a warning in `build` with a baseline set, an error for "
                                        "`check --against`)"),
        C("BASE005", "error", "git refuses the repository because another user owns it (its `safe.directory` "
                              "check); the hint gives the `git config` line that trusts it"),
    )),
)
