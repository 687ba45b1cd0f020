from __future__ import annotations

import re

from pydantic import Field as F

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext, RuleOptions, tighten


class DescriptionRequired(Rule):
    """Products and datasets say what they are.

    A product's `description` (a string, or `purpose`) is what a catalog shows first; a
    dataset's `description` says what one row is. Blank text counts as missing, and so does
    text that starts with `TODO` (the placeholder purpose `meshgen init` writes). Field
    descriptions are a separate rule, DOC002, that a policy turns on.

    **Anti-pattern**

    ```yaml
    domain: checkout
    name: orders
    datasets:
      - name: orders
        fields: [{name: order_id, type: uuid, required: true}]
    ```

    **Best practice**

    ```yaml
    domain: checkout
    name: orders
    description:
      purpose: Every order placed through checkout, one row per order.
    datasets:
      - name: orders
        description: One row per order.
        fields: [{name: order_id, type: uuid, required: true}]
    ```
    """

    code = "DOC001"
    name = "docs.description-required"
    groups = ("documentation",)
    severity = Severity.ERROR

    class Options(RuleOptions):
        datasets: bool = F(True, description="Require a description on every dataset too.", json_schema_extra=tighten("raise"))

    def check(self, ctx: RuleContext):
        p = ctx.product
        if is_placeholder(p.purpose):
            where = ctx.at("description", "purpose") if not isinstance(p.description, str) else ctx.at("description")
            yield Finding(f"{p.address}'s purpose is still the placeholder {p.purpose.strip()!r}", where,
                          "say why the product exists and what it holds")
        elif not p.purpose.strip():
            where = ctx.at("description") if p.description is not None else ctx.at("name")
            yield Finding(f"{p.address} has no description", where,
                          "add `description: {purpose: ...}` saying why the product exists and what it holds")
        if ctx.options.datasets:
            for ds in p.datasets:
                if not (ds.description or "").strip() or is_placeholder(ds.description):
                    where = ctx.dataset(ds, "description" if ds.description is not None else "name")
                    yield Finding(f"dataset {ds.name!r} has no description", where,
                                  "add `description:` saying what one row is")


def is_placeholder(text: str | None) -> bool:
    """Text that starts with the word TODO (upper case): written to be replaced."""
    return re.match(r"\s*TODO\b", text or "") is not None
