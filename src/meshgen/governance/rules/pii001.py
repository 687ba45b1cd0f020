from __future__ import annotations

from typing import Literal

from pydantic import Field as F

from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleContext, RuleOptions, tighten
from meshgen.model.models import CLASSIFICATION_ORDER


class PiiProtectionRequired(Rule):
    """Personal data needs a classification of at least `confidential` and a protection method.

    A field marked `pii: true` is only safe to publish when every platform knows how secret it
    is and how it is protected. Targets use `classification` for access policies and tags, and
    `protection` for masking, hashing, tokenization or encryption of the column.

    **Anti-pattern**

    ```yaml
    fields:
      - name: email
        type: string
        pii: true
        classification: internal   # too low for personal data, and no protection
    ```

    **Best practice**

    ```yaml
    fields:
      - name: email
        type: string
        pii: true
        classification: confidential
        protection: hash
    ```
    """

    code = "PII001"
    name = "pii.protection-required"
    groups = ("pii", "security")
    severity = Severity.ERROR

    class Options(RuleOptions):
        minimum: Literal["internal", "confidential", "restricted"] = F(
            "confidential", description="The lowest classification personal data may have.", json_schema_extra=tighten("raise"))
        protections: list[Literal["encrypt", "mask", "hash", "tokenize"]] = F(
            ["encrypt", "mask", "hash", "tokenize"], min_length=1,
            description="The protection methods the mesh accepts for personal data.",
            json_schema_extra=tighten("shrink"))

    def check(self, ctx: RuleContext):
        floor = CLASSIFICATION_ORDER.index(ctx.options.minimum)
        for ref in ctx.fields():
            f = ref.field
            if not f.pii:
                continue
            if f.classification is None:
                yield Finding(f"PII field {ref.dotted!r} of dataset {ref.dataset.name!r} has no classification",
                              ref.place.child("pii"), f"add `classification: {ctx.options.minimum}` (or higher)")
            elif CLASSIFICATION_ORDER.index(f.classification) < floor:
                yield Finding(f"PII field {ref.dotted!r} is classified {f.classification}; personal data needs "
                              f"at least {ctx.options.minimum}", ref.place.child("classification"),
                              f"set `classification: {ctx.options.minimum}` or higher")
            if f.protection is None:
                yield Finding(f"PII field {ref.dotted!r} of dataset {ref.dataset.name!r} has no protection method",
                              ref.place.child("pii"),
                              f"add `protection:` one of {', '.join(ctx.options.protections)}")
            elif f.protection not in ctx.options.protections:
                yield Finding(f"PII field {ref.dotted!r} uses protection {f.protection!r}, which this mesh does not accept",
                              ref.place.child("protection"), f"use one of {', '.join(ctx.options.protections)}")
