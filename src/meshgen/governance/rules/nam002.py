from __future__ import annotations

from pydantic import Field as F

from meshgen.dialects import reserved_anywhere
from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext, RuleOptions, tighten

class ReservedWords(Rule):
    """Dataset and field names are not SQL reserved words.

    A column called `order` or `user` must be quoted in every query and in every generated
    DDL, and some tools get that wrong. The words are those a warehouse meshgen writes SQL for
    reserves (each dialect's list in `meshgen.dialects`, the same the DDL quotes); `extra` adds
    words, `allow` exempts some.

    **Anti-pattern**

    ```yaml
    datasets:
      - name: order
        fields:
          - {name: user, type: string}
          - {name: group, type: string}
    ```

    **Best practice**

    ```yaml
    datasets:
      - name: orders
        fields:
          - {name: user_id, type: string}
          - {name: customer_group, type: string}
    ```
    """

    code = "NAM002"
    name = "naming.reserved-words"
    groups = ("naming", "interoperability")
    severity = Severity.ERROR

    class Options(RuleOptions):
        extra: list[str] = F([], description="More words to reject (case-insensitive).", json_schema_extra=tighten("grow"))
        allow: list[str] = F([], description="Reserved words to accept anyway (case-insensitive).",
                          json_schema_extra=tighten("shrink"))

    def check(self, ctx: RuleContext):
        reserved = reserved_anywhere()
        extra = {w.lower() for w in ctx.options.extra}
        allowed = {w.lower() for w in ctx.options.allow}
        hint = "rename it (e.g. add a noun: order → order_id, user → user_name) so no target needs to quote it"

        def said(name: str) -> str | None:
            word = name.lower()
            if word in allowed or (word not in reserved and word not in extra):
                return None
            where = reserved.get(word)
            return f"reserved in {', '.join(where)}" if where else "a word this mesh rejects"

        for ds in ctx.product.datasets:
            if why := said(ds.name):
                yield Finding(f"dataset name {ds.name!r} is a reserved SQL word ({why})", ctx.dataset(ds, "name"), hint)
        for ref in ctx.fields():
            if why := said(ref.field.name):
                yield Finding(f"field name {ref.dotted!r} is a reserved SQL word ({why})", ref.place.child("name"), hint)
