"""The published JSON Schema of dataproduct.yaml, for editors (yaml-language-server) and CI."""

from __future__ import annotations

from meshgen.serializer import json_document

SCHEMA_ID = "urn:meshgen:schema:dataproduct:v1"


def product_json_schema() -> dict:
    from meshgen.model.models import DataProduct

    schema = DataProduct.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "meshgen/v1 DataProduct"
    return schema


def product_json_schema_text() -> str:
    return json_document(product_json_schema())
