"""What a field says about personal and classified data, as every format carries it.

`pii`, the effective classification (SchemaField.effective_classification: a personal-data
field without one is `confidential`) and the protection method. Each format writes these as
its own custom annotation: Avro field properties, JSON Schema and OpenAPI `x-` keywords,
pydantic `json_schema_extra`, proto `debug_redact` plus the field comment.
"""

from __future__ import annotations

from typing import Any

from meshgen.model.models import SchemaField

# A field this classified (or personal) is redacted from debug output where the format can say so.
REDACTED = ("confidential", "restricted")


def privacy(f: SchemaField) -> dict[str, Any]:
    """{"pii", "classification", "protection"} as declared (empty for an unmarked field)."""
    out: dict[str, Any] = {}
    if f.pii:
        out["pii"] = True
    if f.pii or f.classification:  # an unmarked field says nothing (it is public)
        out["classification"] = f.effective_classification
    if f.protection:
        out["protection"] = f.protection
    return out


def x_keywords(f: SchemaField) -> dict[str, Any]:
    """The same, as `x-` keywords (JSON Schema, OpenAPI, and through them pydantic)."""
    return {f"x-{k}": v for k, v in privacy(f).items()}


X_KEYWORDS = ("x-pii", "x-classification", "x-protection")


def redacted(f: SchemaField) -> bool:
    return bool(f.pii) or privacy(f).get("classification") in REDACTED
