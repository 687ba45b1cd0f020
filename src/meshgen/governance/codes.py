"""The codes governance itself reports (its rules' codes come from the rule registry)."""

from meshgen.diagnostics import CodeFamily, DiagnosticCode as C

CODE_FAMILIES = (CodeFamily("GOV", "The governance policy, domain policies and waivers are valid.",
                            "docs/governance.md", (
    C("GOV001", "error", "the `governance:` section of meshgen.yaml is invalid (shape, unknown rule or group, options)"),
    C("GOV002", "error", "a domain policy tries to loosen the mesh policy"),
    C("GOV003", "error", "a domain's governance.yaml is invalid"),
    C("GOV004", "error", "a rule plugin could not be loaded (bad entry point, not a `Rule`, clashing code or name)"),
    C("GOV005", "error", "a plugin rule raised an exception while checking a product"),
    C("GOV010", "error", "a waiver has no `reason` (or a blank one)"),
    C("GOV011", "error", "a waiver has no `expires` (while `requireExpiry`), or expires further ahead than `maxDuration`"),
    C("GOV012", "error", "a waiver expired"),
    C("GOV013", "warning", "a waiver matches no finding: the problem is fixed or the path is wrong"),
    C("GOV014", "warning", "a waiver names something that is not a governance rule (core checks cannot be waived)"),
), configurable=False),)
