from __future__ import annotations

from pydantic import Field as F

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext, RuleOptions, tighten


class FieldDescriptionRequired(Rule):
    """Every field says what it means (off unless a policy turns it on).

    Column comments, Avro docs, JSON Schema descriptions and catalog entries are generated
    from field descriptions. Turn this on in meshgen.yaml, or in a domain's governance.yaml to
    hold one domain to a higher standard. `nested: false` checks top-level fields only.

    **Anti-pattern**

    ```yaml
    fields:
      - {name: total, type: "decimal(12,2)", required: true}
    ```

    **Best practice**

    ```yaml
    fields:
      - {name: total, type: "decimal(12,2)", required: true, description: Order total including tax.}
    ```
    """

    code = "DOC002"
    name = "docs.field-description"
    groups = ("documentation",)
    severity = Severity.WARNING
    enabled = False

    class Options(RuleOptions):
        nested: bool = F(True, description="Also check members of structs (nested fields).",
                   json_schema_extra=tighten("raise"))

    def check(self, ctx: RuleContext):
        for ref in ctx.fields():
            if ref.parent is not None and not ctx.options.nested:
                continue
            if not (ref.field.description or "").strip():
                yield Finding(f"field {ref.dotted!r} of dataset {ref.dataset.name!r} has no description",
                              ref.place.child("name"), "add `description:` saying what the value means")
