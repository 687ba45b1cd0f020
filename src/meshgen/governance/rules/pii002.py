from __future__ import annotations

from typing import Literal

from pydantic import Field as F

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext, RuleOptions, tighten
from meshgen.model.models import CLASSIFICATION_ORDER


class PiiProductClassification(Rule):
    """A product that holds personal data is classified accordingly in catalog outputs.

    A catalog entry carries one classification per product (meshgen derives it as the highest
    classification of the product's fields) and one per top-level column. Personal data nested inside a
    struct or array inherits the column's label there, so a PII member under a column
    explicitly classified lower would be published as if it were not personal data. This rule
    checks that the product as a whole, and every column that contains personal data, is
    classified at least `minimum`.

    **Anti-pattern**

    ```yaml
    fields:
      - name: shipping
        type: struct
        classification: public        # the catalog shows the column as public...
        fields:
          - {name: email, type: string, pii: true, classification: confidential, protection: mask}
    ```

    **Best practice**

    ```yaml
    fields:
      - name: shipping
        type: struct
        classification: confidential  # the column is as secret as what it contains
        fields:
          - {name: email, type: string, pii: true, classification: confidential, protection: mask}
    ```
    """

    code = "PII002"
    name = "pii.product-classification"
    groups = ("pii", "catalog")
    severity = Severity.ERROR

    class Options(RuleOptions):
        minimum: Literal["internal", "confidential", "restricted"] = F(
            "confidential", description="The lowest classification of a product or column that holds personal data.",
            json_schema_extra=tighten("raise"))

    def check(self, ctx: RuleContext):
        floor = CLASSIFICATION_ORDER.index(ctx.options.minimum)
        product = ctx.product
        if product.has_pii and CLASSIFICATION_ORDER.index(product.classification) < floor:
            yield Finding(f"{product.address} holds personal data but would be catalogued as {product.classification}",
                          ctx.at("name"), f"classify its PII fields at least {ctx.options.minimum}")
        for ref in ctx.fields():
            if not ref.field.pii or ref.parent is None:
                continue
            ancestor = ref.parent
            while ancestor is not None:
                level = ancestor.field.classification
                if level is not None and CLASSIFICATION_ORDER.index(level) < floor:
                    yield Finding(f"column {ancestor.dotted!r} is classified {level} but contains the PII field "
                                  f"{ref.dotted!r}", ancestor.place.child("classification"),
                                  f"classify {ancestor.dotted!r} at least {ctx.options.minimum}")
                ancestor = ancestor.parent
