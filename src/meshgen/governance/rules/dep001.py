from __future__ import annotations

from pydantic import Field as F

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext, RuleOptions, tighten


class DeprecatedFieldComplete(Rule):
    """A deprecated field names its replacement and the date it may be removed.

    Consumers can only migrate off a field when they know what to use instead (`replacedBy`)
    and by when (`deprecationDate`). Set `replacement: false` to accept fields that are simply
    going away. That `replacedBy` names an existing field is a core check (REF008).

    **Anti-pattern**

    ```yaml
    fields:
      - {name: user_id, type: string, deprecated: true}
    ```

    **Best practice**

    ```yaml
    fields:
      - name: user_id
        type: string
        deprecated: true
        replacedBy: customer_id
        deprecationDate: 2027-03-31
    ```
    """

    code = "DEP001"
    name = "lifecycle.deprecated-field"
    groups = ("lifecycle",)
    severity = Severity.WARNING

    class Options(RuleOptions):
        replacement: bool = F(True, description="Require `replacedBy` on deprecated fields.", json_schema_extra=tighten("raise"))

    def check(self, ctx: RuleContext):
        for ref in ctx.fields():
            f = ref.field
            if not f.deprecated:
                continue
            missing = [k for k, v in (("replacedBy", f.replacedBy if ctx.options.replacement else "-"),
                                      ("deprecationDate", f.deprecationDate)) if not v]
            if missing:
                yield Finding(f"deprecated field {ref.dotted!r} of dataset {ref.dataset.name!r} has no "
                              f"{' and no '.join(missing)}", ref.place.child("deprecated"),
                              f"add {', '.join(f'`{k}:`' for k in missing)} so consumers know what to use and by when")
