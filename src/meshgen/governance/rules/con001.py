from __future__ import annotations

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext


class NoDeprecatedDependency(Rule):
    """No product depends on a product version past its deprecation date, or retired.

    A mesh-wide rule: for every input port it looks up the producer in the mesh. After the
    producer's `lifecycle.deprecationDate` (or once it is `retired`) the producer may be
    switched off at any time; the consumer must move to the successor. The date is compared
    with today (set MESHGEN_TODAY=YYYY-MM-DD to pin it, e.g. in tests).

    **Anti-pattern**

    ```yaml
    # the producer data://checkout/orders/v1 has lifecycle.deprecationDate: 2025-06-30
    inputPorts:
      - {name: orders, product: data://checkout/orders/v1, dataset: orders, fields: [order_id]}
    ```

    **Best practice**

    ```yaml
    inputPorts:
      - {name: orders, product: data://checkout/orders/v2, dataset: orders, fields: [order_id]}
    ```
    """

    code = "CON001"
    name = "consumers.no-deprecated-dependency"
    groups = ("lifecycle", "mesh")
    severity = Severity.ERROR

    def check(self, ctx: RuleContext):
        index = ctx.mesh.by_address()
        for i, port in enumerate(ctx.product.inputPorts):
            producer = index.get(port.product)
            if producer is None:
                continue  # reported by the core reference checks (MESH002)
            p = producer.product
            lc = p.lifecycle
            successor = f"move to {lc.successor}" if lc and lc.successor else "ask the producer for its successor"
            if p.status == "retired":
                yield Finding(f"input port {port.name!r} depends on {port.product}, which is retired",
                              ctx.port("inputPorts", i, "product"), successor)
            elif lc and lc.deprecationDate and lc.deprecationDate < ctx.today:
                yield Finding(f"input port {port.name!r} depends on {port.product}, deprecated since "
                              f"{lc.deprecationDate.isoformat()}", ctx.port("inputPorts", i, "product"), successor)
