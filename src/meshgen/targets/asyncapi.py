"""AsyncAPI 3.0: one document per `events` port.

The channel's address is the topic; the product sends one message, whose payload is the
dataset's Avro schema (format avro, the default) or its JSON Schema (format json).
"""

from __future__ import annotations

from typing import Any, Iterable

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, OutputPort
from meshgen.targets.base import CANNOT_EXPRESS, Target, identifier, pascal_case
from meshgen.targets.openapi import product_info
from meshgen.targets.ports import avro_schema, embedded_json_schema

AVRO_FORMAT = "application/vnd.apache.avro+json;version=1.9.0"
JSON_SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"
CONTENT_TYPES = {"avro": "application/vnd.apache.avro+binary", "json": "application/json"}


def payload_format(target: Target, pf: ProductFile, port: OutputPort, index: int, code: str) -> str:
    """avro or json: the formats a payload schema can be given in; others are reported."""
    fmt = port.format or "avro"
    if fmt in ("avro", "json"):
        return fmt
    target.unsupported(code, f"events port {port.name!r} has format {fmt!r}; {target.name} describes it with the "
                       "dataset's JSON Schema (the canonical JSON form)", pf.location("outputPorts", index, "format"),
                       "use format avro or json for events ports")
    return "json"


class AsyncApiTarget(Target):
    name = "asyncapi"
    codes = CodeFamily("ASYNCAPI", "The AsyncAPI target can express the product's ports.", "docs/targets-ports.md", (
        DiagnosticCode("ASYNCAPI001", CANNOT_EXPRESS,
                       "an events port's format has no AsyncAPI schema format; its payload is described by the JSON Schema"),
    ), target="asyncapi")
    description = "AsyncAPI 3.0 documents, one per events port"

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        for index, port in enumerate(pf.product.outputPorts):
            ds = pf.product.dataset(port.dataset)
            if port.type != "events" or ds is None:
                continue
            yield Artifact(f"{port.name}.json", self.render("asyncapi.json.j2", document=self.document(pf, ds, port, index)))

    def document(self, pf: ProductFile, ds: Dataset, port: OutputPort, index: int) -> dict[str, Any]:
        fmt = payload_format(self, pf, port, index, "ASYNCAPI001")
        if fmt == "avro":
            payload = {"schemaFormat": AVRO_FORMAT, "schema": avro_schema(self, pf, ds)}
        else:
            payload = {"schemaFormat": JSON_SCHEMA_FORMAT, "schema": embedded_json_schema(self, pf, ds)}
        channel, message = identifier(port.name), pascal_case(ds.name)
        msg: dict[str, Any] = {
            "name": message,
            "title": f"{ds.name} record",
            "contentType": CONTENT_TYPES[fmt],
            "payload": payload,
        }
        if ds.description:
            msg["summary"] = ds.description
        if ds.examples and fmt == "json":
            msg["examples"] = [{"payload": row} for row in ds.examples]
        channel_doc: dict[str, Any] = {
            "address": port.topic,
            "messages": {message: {"$ref": f"#/components/messages/{message}"}},
        }
        if port.description:
            channel_doc["description"] = port.description
        return {
            "asyncapi": "3.0.0",
            "info": product_info(pf, port.name),
            "defaultContentType": CONTENT_TYPES[fmt],
            "channels": {channel: channel_doc},
            "operations": {f"send{message}": {
                "action": "send",
                "summary": f"{pf.product.address} publishes one message per {ds.name} record.",
                "channel": {"$ref": f"#/channels/{channel}"},
                "messages": [{"$ref": f"#/channels/{channel}/messages/{message}"}],
            }},
            "components": {"messages": {message: msg}},
        }
