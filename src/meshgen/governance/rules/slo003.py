from __future__ import annotations

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext


class AccuracyMeasured(Rule):
    """An accuracy SLO names the quality check that measures it.

    An accuracy target that no check measures is a promise nobody verifies. That the named
    check exists is a core reference check (REF004), which cannot be turned off.

    **Anti-pattern**

    ```yaml
    slos:
      accuracy: {target: 99.9%}
    ```

    **Best practice**

    ```yaml
    slos:
      accuracy: {target: 99.9%, check: orders_total_not_negative}
    datasets:
      - name: orders
        quality:
          - {id: orders_total_not_negative, sql: "SELECT COUNT(*) FROM {dataset} WHERE total < 0", mustBe: 0}
    ```
    """

    code = "SLO003"
    name = "slo.accuracy-measured"
    groups = ("slo", "quality")
    severity = Severity.ERROR

    def check(self, ctx: RuleContext):
        slos = ctx.product.slos
        if slos and slos.accuracy and not slos.accuracy.check:
            yield Finding("the accuracy SLO names no quality check that measures it", ctx.at("slos", "accuracy"),
                          "add `check: <quality check id>` to slos.accuracy")
