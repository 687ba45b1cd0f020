from __future__ import annotations

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext


class DeprecatedProductComplete(Rule):
    """A deprecated product names its successor and its deprecation date.

    `status: deprecated` tells consumers to leave; `lifecycle.successor` says where to go and
    `lifecycle.deprecationDate` by when. That the successor exists in the mesh is a core check
    (MESH005).

    **Anti-pattern**

    ```yaml
    version: 1.4.0
    status: deprecated
    ```

    **Best practice**

    ```yaml
    version: 1.4.0
    status: deprecated
    lifecycle:
      deprecationDate: 2027-06-30
      successor: data://checkout/orders/v2
    ```
    """

    code = "DEP002"
    name = "lifecycle.deprecated-product"
    groups = ("lifecycle",)
    severity = Severity.ERROR

    def check(self, ctx: RuleContext):
        p = ctx.product
        if p.status != "deprecated":
            return
        lc = p.lifecycle
        missing = [k for k in ("successor", "deprecationDate") if lc is None or getattr(lc, k) is None]
        if missing:
            yield Finding(f"{p.address} is deprecated but has no lifecycle.{' and no lifecycle.'.join(missing)}",
                          ctx.at("lifecycle") if lc is not None else ctx.at("status"),
                          f"add {', '.join(f'`lifecycle.{k}:`' for k in missing)} so consumers know where to go and by when")
