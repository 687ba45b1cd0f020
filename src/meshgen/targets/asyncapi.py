"""AsyncAPI 3.0: one document per `events` port.

The channel's address is the topic; the product sends one message, whose payload is the
dataset's Avro schema (format avro, the default) or its JSON Schema (format json).
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, OutputPort
from meshgen.targets.base import CANNOT_EXPRESS, TemplateInfo, Target, identifier, pascal_case
from meshgen.schemas.avro import avro_schema
from meshgen.schemas.jsonschema import embedded_json_schema
from meshgen.schemas.ports import payload_format, product_info

AVRO_FORMAT = "application/vnd.apache.avro+json;version=1.9.0"
JSON_SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"
CONTENT_TYPES = {"avro": "application/vnd.apache.avro+binary", "json": "application/json"}


class AsyncApiTarget(Target):
    name = "asyncapi"
    codes = CodeFamily("ASYNCAPI", "The AsyncAPI target can express the product's ports.", "docs/targets-ports.md", (
        DiagnosticCode("ASYNCAPI001", CANNOT_EXPRESS,
                       "an events port's format has no AsyncAPI schema format; its payload is described by the JSON Schema"),
    ), target="asyncapi")
    description = "AsyncAPI 3.0 documents, one per events port"
    templates: ClassVar[dict[str, TemplateInfo]] = {"asyncapi/asyncapi.json.j2": TemplateInfo(
        "one events port's AsyncAPI 3.0 document (`<port>.json`)", (("document", "the AsyncAPI document as data"),))}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        for index, port in enumerate(pf.product.outputPorts):
            ds = pf.product.dataset(port.dataset)
            if port.type != "events" or ds is None:
                continue
            yield Artifact(f"{port.name}.json", self.render("asyncapi.json.j2", document=self.document(pf, ds, port, index)))

    def document(self, pf: ProductFile, ds: Dataset, port: OutputPort, index: int) -> dict[str, Any]:
        fmt = payload_format(pf, port, index, self.reporter, self.name, "ASYNCAPI001")
        if fmt == "avro":
            payload = {"schemaFormat": AVRO_FORMAT, "schema": avro_schema(pf, ds, self.reporter)}
        else:
            payload = {"schemaFormat": JSON_SCHEMA_FORMAT, "schema": embedded_json_schema(pf, ds, self.reporter)}
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
