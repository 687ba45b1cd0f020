"""Schema-registry subjects: one file per `events` port, for the subject `<topic>-value`.

The schema is the dataset's Avro schema (`format: avro`, the default), its JSON Schema
(`format: json`) or its .proto text (`format: protobuf`, the protobuf target's file, numbered from the product's lock file
as it stands: the registry never writes the lock).

`schema`, `schemaType` and `references` are the body of `POST /subjects/<subject>/versions`;
`compatibility` (from the product's `compatibility`) is the body of `PUT /config/<subject>`.
"""

from __future__ import annotations

import hashlib
import re
from typing import ClassVar, Iterable

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.serializer import json_text
from meshgen.model.loader import ProductFile
from meshgen.targets.base import CANNOT_EXPRESS, TemplateInfo, Target
from meshgen.schemas.avro import avro_schema
from meshgen.schemas.jsonschema import DRAFT, embedded_json_schema
from meshgen.schemas.ports import payload_format
from meshgen.schemas.protobuf import PROTO_TEMPLATE_INFO, TEMPLATE as PROTO_TEMPLATE, proto_text

_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")  # what Kafka accepts as a topic name


class SchemaRegistryTarget(Target):
    name = "schema-registry"
    codes = CodeFamily("REGISTRY", "The schema-registry output can express the product.", "docs/targets-ports.md", (
        DiagnosticCode("REGISTRY001", CANNOT_EXPRESS,
                       'a topic is not a valid Kafka topic name; the subject file name replaces the other characters'),
        DiagnosticCode("REGISTRY002", CANNOT_EXPRESS,
                       "an events port's format has no schema-registry type; written as JSON"),
    ), target="schema-registry")
    description = "Schema-registry subject files (<topic>-value), one per events port"
    templates: ClassVar[dict[str, TemplateInfo]] = {
        "schema-registry/subject.json.j2": TemplateInfo(
            "one subject file (`<topic>-value.json`: the registry's request bodies)",
            (("subject", "subject, schemaType, schema (text), references and compatibility, as data"),)),
        PROTO_TEMPLATE: PROTO_TEMPLATE_INFO,  # the schema text of a protobuf subject
    }

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        for index, port in enumerate(pf.product.outputPorts):
            ds = pf.product.dataset(port.dataset)
            if port.type != "events" or ds is None:
                continue
            subject = f"{port.topic}-value"
            file_name = subject
            if not _TOPIC.match(port.topic or ""):
                file_name = re.sub(r"[^A-Za-z0-9._-]", "_", subject)
                self.unsupported("REGISTRY001", f"topic {port.topic!r} is not a valid Kafka topic name; the subject "
                                 f"file is named {file_name}.json", pf.location("outputPorts", index, "topic"),
                                 "use letters, digits, '.', '_' and '-' (at most 249)")
            if port.format == "protobuf":
                text, schema_type = proto_text(self.context.renderer, pf, ds, self.reporter), "PROTOBUF"
            elif payload_format(pf, port, index, self.reporter, self.name, "REGISTRY002") == "avro":
                text, schema_type = json_text(avro_schema(pf, ds, self.reporter), compact=True), "AVRO"
            else:
                text, schema_type = json_text({"$schema": DRAFT, **embedded_json_schema(pf, ds, self.reporter)}, compact=True), "JSON"
            doc = {
                "subject": subject,
                "schemaType": schema_type,
                "schema": text,
                "references": [],
                "compatibility": pf.product.compatibility.upper(),
            }
            if len(file_name.encode()) > 240:  # a file name has at most 255 bytes; keep it unique with a digest
                file_name = f"{file_name[:200]}-{hashlib.sha256(subject.encode()).hexdigest()[:16]}"
            yield Artifact(f"{file_name}.json", self.render("subject.json.j2", subject=doc))
