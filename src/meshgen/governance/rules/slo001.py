from __future__ import annotations

from typing import Literal

from pydantic import Field as F

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Place, Rule, RuleContext, RuleOptions, tighten

SloName = Literal["freshness", "accuracy", "completeness", "availability", "retention", "latency"]


class RequiredSlos(Rule):
    """Products promise the SLOs their tier requires (by default: freshness and accuracy for tier-1).

    `always` lists SLOs every product must declare; `byTag` lists more for products carrying a
    tag, e.g. `tier-1`. Retired products are exempt.

    **Anti-pattern**

    ```yaml
    tags: [tier-1]
    slos:
      availability: {target: 99.9%}
    ```

    **Best practice**

    ```yaml
    tags: [tier-1]
    slos:
      freshness: {threshold: 1h, timestampField: orders.placed_at}
      accuracy: {target: 99.9%, check: orders_total_not_negative}
    ```
    """

    code = "SLO001"
    name = "slo.required"
    groups = ("slo", "reliability")
    severity = Severity.ERROR

    class Options(RuleOptions):
        always: list[SloName] = F([], description="SLOs every product must declare.", json_schema_extra=tighten("grow"))
        byTag: dict[str, list[SloName]] = F({"tier-1": ["freshness", "accuracy"]},
                                            description="Tag → SLOs that products with that tag must declare.",
                                            json_schema_extra=tighten("grow"))

    def check(self, ctx: RuleContext):
        p = ctx.product
        if p.status == "retired":
            return
        required: dict[str, tuple] = {}
        for slo in ctx.options.always:
            required.setdefault(slo, ("every product", ctx.at("slos") if p.slos else ctx.at("name")))
        for i, tag in enumerate(p.tags):
            for slo in ctx.options.byTag.get(tag, []):
                required.setdefault(slo, (f"products tagged {tag!r}", ctx.at("tags", i)))
        for slo, (who, where) in sorted(required.items()):
            if p.slos is None or getattr(p.slos, slo) is None:
                yield Finding(f"{p.address} declares no {slo} SLO, which the policy requires for {who}",
                              Place(where.at, f"slos.{slo}"), f"add `slos: {{{slo}: ...}}`; see docs/spec-reference.md")
