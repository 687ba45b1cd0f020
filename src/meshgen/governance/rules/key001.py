from __future__ import annotations

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext


class PrimaryKeyRequired(Rule):
    """Every dataset has a primary key.

    Without a key, consumers cannot deduplicate, merge or join reliably, and uniqueness checks
    have nothing to check. That the key's fields exist, are required and are scalar is a core
    check (REF001).

    **Anti-pattern**

    ```yaml
    datasets:
      - name: orders
        fields:
          - {name: order_id, type: uuid, required: true}
    ```

    **Best practice**

    ```yaml
    datasets:
      - name: orders
        primaryKey: [order_id]
        fields:
          - {name: order_id, type: uuid, required: true}
    ```
    """

    code = "KEY001"
    name = "dataset.primary-key"
    groups = ("modeling", "interoperability")
    severity = Severity.ERROR

    def check(self, ctx: RuleContext):
        for ds in ctx.product.datasets:
            if not ds.primaryKey:
                yield Finding(f"dataset {ds.name!r} has no primary key", ctx.dataset(ds, "name"),
                              "add `primaryKey: [<field>, ...]` with the required fields that identify a row")
