from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import Field as F

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext, RuleOptions, tighten
from meshgen.model.models import Pattern
from meshgen.naming import camel_case, kebab_case, snake_case, upper_camel_case, words
from meshgen.model.patterns import pattern_fullmatch

CASES = {
    "snake": re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"),
    "kebab": re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"),
    "camel": re.compile(r"^[a-z][a-zA-Z0-9]*$"),
    "pascal": re.compile(r"^[A-Z][a-zA-Z0-9]*$"),
    "any": re.compile(r"^.+$", re.S),
}
EXAMPLES = {"snake": "order_lines", "kebab": "order-lines", "camel": "orderLines", "pascal": "OrderLines"}


class NameStyle(RuleOptions):
    case: Literal["snake", "kebab", "camel", "pascal", "any"] = F(
        "snake", description="snake (order_lines), kebab (order-lines), camel (orderLines), pascal (OrderLines) or any.",
        json_schema_extra=tighten("set"))
    pattern: Optional[Pattern] = F(None, description="A regular expression the whole name must also match.",
                                      json_schema_extra=tighten("set"))
    maxLength: Optional[int] = F(None, ge=1, description="The longest name allowed.",
                                        json_schema_extra=tighten("lower"))


class NamingConvention(Rule):
    """Domain, product, dataset and field names follow the mesh's case style and pattern.

    One naming convention across the mesh makes products joinable and generated code
    predictable (a snake_case field is a valid column and identifier in every target). Each of
    `domain`, `product`, `dataset` and `field` has its own `case`, optional `pattern` and
    `maxLength`. Whatever this rule says, names that could escape a folder (`..`, `/`, `\\`,
    control characters) are always rejected by the spec itself (SPEC004); that cannot be
    turned off.

    **Anti-pattern**

    ```yaml
    domain: Checkout
    name: OrderLines
    datasets:
      - name: order-lines
        fields:
          - {name: OrderId, type: uuid, required: true}
    ```

    **Best practice**

    ```yaml
    domain: checkout
    name: order_lines
    datasets:
      - name: order_lines
        fields:
          - {name: order_id, type: uuid, required: true}
    ```
    """

    code = "NAM001"
    name = "naming.case"
    groups = ("naming", "interoperability")
    severity = Severity.ERROR

    class Options(RuleOptions):
        domain: NameStyle = F(NameStyle(), description="The convention for domain names.")
        product: NameStyle = F(NameStyle(), description="The convention for product names.")
        dataset: NameStyle = F(NameStyle(), description="The convention for dataset names.")
        field: NameStyle = F(NameStyle(), description="The convention for field names, nested ones included.")

    def check(self, ctx: RuleContext):
        o = ctx.options
        p = ctx.product
        yield from _style("domain", p.domain, o.domain, ctx.at("domain"))
        yield from _style("product", p.name, o.product, ctx.at("name"))
        for ds in p.datasets:
            yield from _style("dataset", ds.name, o.dataset, ctx.dataset(ds, "name"))
        # a field in case with no pattern or length to check is fine, with no place to build (most fields)
        in_style = CASES[o.field.case].match if o.field.pattern is None and o.field.maxLength is None else None
        for ref in ctx.fields():
            if in_style is None or not in_style(ref.field.name):
                yield from _style("field", ref.field.name, o.field, ref.place.child("name"))


def in_case(name: str, case: str) -> str:
    """`OrderLines`, `order-lines`, `orderLines` → the same words in `case` (order_lines for snake)."""
    if "".join(words(name)) != re.sub(r"[_\-]", "", name.lower()):  # other characters: no safe suggestion
        return name
    convert = {"snake": snake_case, "kebab": kebab_case, "camel": camel_case, "pascal": upper_camel_case}.get(case)
    return convert(name) if convert else name


def _style(kind: str, value: str, style: NameStyle, place) -> list[Finding]:
    out = []
    if not CASES[style.case].match(value):
        suggestion = in_case(value, style.case)
        out.append(Finding(f"{kind} name {value!r} is not {style.case} case", place,
                           f"rename it to {suggestion!r}" if CASES[style.case].match(suggestion) else
                           f"write it like {EXAMPLES.get(style.case, value)!r}"))
    if style.pattern is not None and not pattern_fullmatch(style.pattern, value):
        out.append(Finding(f"{kind} name {value!r} does not match the pattern {style.pattern!r}",
                           place, "rename it to match the mesh's naming policy"))
    if style.maxLength is not None and len(value) > style.maxLength:
        out.append(Finding(f"{kind} name {value!r} is longer than {style.maxLength} characters",
                           place, "shorten it"))
    return out
