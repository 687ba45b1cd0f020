"""OpenAPI 3.1: one document per `rest` port.

List the dataset a page at a time (`page_size`, `page_token`, equality filters on the primary
key and partition fields), get one record by its primary key; the dataset's JSON Schema is the
record schema. The words are the gRPC target's: page_size, page_token, next_page_token.
"""

from __future__ import annotations

import copy

from typing import Any, ClassVar, Iterable
from urllib.parse import quote

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, OutputPort
from meshgen.targets.base import CANNOT_EXPRESS, TemplateInfo, Target, identifier, pascal_case
from meshgen.schemas.jsonschema import embedded_json_schema, non_null
from meshgen.schemas.ports import product_info

PAGE_PARAMETERS = ("page_size", "page_token")
# Every document requires a caller to authenticate: a data product's API is never anonymous.
# A bearer token (OAuth 2 access token or JWT) is what API gateways and client generators
# handle out of the box; the platform says where tokens come from.
SECURITY_SCHEMES = {"bearerAuth": {
    "type": "http", "scheme": "bearer",
    "description": "An access token for the data product, issued by the platform's identity provider.",
}}
DENIED = {
    "401": "Not authenticated: the request has no valid access token.",
    "403": "Authenticated, but not allowed to read this data product.",
}


class OpenApiTarget(Target):
    name = "openapi"
    codes = CodeFamily("OPENAPI", "The OpenAPI target can express the product's ports.", "docs/targets-ports.md", (
        DiagnosticCode("OPENAPI001", CANNOT_EXPRESS,
                       'a dataset without a primaryKey: its API has no get-by-key operation'),
        DiagnosticCode("OPENAPI002", CANNOT_EXPRESS,
                       'a field has the name of a paging parameter and is not offered as a filter'),
    ), target="openapi")
    description = "OpenAPI 3.1 documents, one per rest port"
    templates: ClassVar[dict[str, TemplateInfo]] = {"openapi/openapi.json.j2": TemplateInfo(
        "one rest port's OpenAPI 3.1 document (`<port>.json`)", (("document", "the OpenAPI document as data"),))}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        for index, port in enumerate(pf.product.outputPorts):
            if port.type != "rest":
                continue
            ds = pf.product.dataset(port.dataset)
            if ds is None:  # reported by the reference checks
                continue
            yield Artifact(f"{port.name}.json", self.render("openapi.json.j2", document=self.document(pf, ds, port, index)))

    def document(self, pf: ProductFile, ds: Dataset, port: OutputPort, index: int) -> dict[str, Any]:
        record = pascal_case(ds.name)
        if record in ("Problem",):
            record += "Record"
        page = record + "Page"
        schema = embedded_json_schema(pf, ds, self.reporter, number_formats=True)
        collection = "/" + quote(ds.name, safe="")
        operations: dict[str, Any] = {collection: {"get": self._list(pf, ds, index, schema, record, page)}}
        keys = [k for k in ds.primaryKey if k in schema["properties"]]
        if keys:
            names = _path_names(keys)
            item = collection + "".join("/{" + names[k] + "}" for k in keys)
            operations[item] = {"get": _get(ds, keys, names, schema, record)}
        else:
            self.unsupported("OPENAPI001", f"dataset {ds.name!r} has no primaryKey: the API of port {port.name!r} "
                             "has no get-by-key operation", pf.location("outputPorts", index, "dataset"),
                             "declare a primaryKey for the dataset")
        document: dict[str, Any] = {
            "openapi": "3.1.0",
            "info": product_info(pf, port.name),
            "paths": operations,
            "security": [{name: []} for name in SECURITY_SCHEMES],
            "components": {"securitySchemes": SECURITY_SCHEMES, "schemas": {
                record: schema,
                page: {"type": "object", "required": ["items"], "additionalProperties": False, "properties": {
                    "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{record}"}},
                    "next_page_token": {"type": ["string", "null"],
                                        "description": "Pass as page_token for the next page; null on the last page."},
                }},
                "Problem": copy.deepcopy(PROBLEM_SCHEMA),
            }},
        }
        if port.url:
            document["servers"] = [{"url": port.url}]
        if port.description:
            document["info"]["description"] = port.description
        return document

    def _list(self, pf: ProductFile, ds: Dataset, index: int, schema: dict, record: str, page: str) -> dict[str, Any]:
        """The list operation: a page at a time, with an equality filter per key and partition field."""
        filters = []
        for name in dict.fromkeys(ds.primaryKey + ds.partitionBy):
            if name not in schema["properties"]:
                continue
            if name in PAGE_PARAMETERS:
                self.unsupported("OPENAPI002", f"field {name!r} has the name of a paging parameter; it is not offered "
                                 "as a filter", pf.location("outputPorts", index, "name"),
                                 "rename the field, or filter on another one")
                continue
            filters.append({"name": name, "in": "query", "required": False,
                            "description": f"Only records whose {name} is this value.",
                            "schema": non_null(schema["properties"][name])})
        return {
            "operationId": f"list{record}",
            "summary": f"List {ds.name}, a page at a time",
            "parameters": [
                {"name": "page_size", "in": "query", "required": False, "description": "At most this many records.",
                 "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 1000, "default": 100}},
                {"name": "page_token", "in": "query", "required": False,
                 "description": "next_page_token of the previous page; absent for the first page.",
                 "schema": {"type": "string"}},
            ] + filters,
            "responses": {
                "200": {"description": "One page of records.",
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{page}"}}}},
                "400": copy.deepcopy(PROBLEM_RESPONSE),
                **_denied(),
            },
        }


PROBLEM_SCHEMA = {"type": "object", "description": "RFC 9457 problem details.", "properties": {
    "type": {"type": "string", "format": "uri-reference"}, "title": {"type": "string"},
    "status": {"type": "integer", "format": "int32"}, "detail": {"type": "string"},
    "instance": {"type": "string", "format": "uri-reference"},
}}
PROBLEM_RESPONSE = {"description": "The problem, as RFC 9457 problem details.",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _denied() -> dict[str, Any]:
    return {code: {**copy.deepcopy(PROBLEM_RESPONSE), "description": text} for code, text in DENIED.items()}


def _get(ds: Dataset, keys: list[str], names: dict[str, str], schema: dict, record: str) -> dict[str, Any]:
    """The get-by-primary-key operation."""
    return {
        "operationId": f"get{record}",
        "summary": f"Get one {ds.name} record by its primary key",
        "parameters": [{"name": names[k], "in": "path", "required": True,
                        "description": f"The record's {k}.", "schema": non_null(schema["properties"][k])}
                       for k in keys],
        "responses": {
            "200": {"description": "The record.",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{record}"}}}},
            "404": copy.deepcopy(PROBLEM_RESPONSE),
            **_denied(),
        },
    }


def _path_names(keys: list[str]) -> dict[str, str]:
    """Path template names: identifiers, so every client generator accepts them."""
    out: dict[str, str] = {}
    for k in keys:
        name, i = identifier(k), 2
        while name in out.values():
            name, i = f"{identifier(k)}_{i}", i + 1
        out[k] = name
    return out
