"""What the port documents (OpenAPI, AsyncAPI, registry subjects) say the same way: the info
block about the product, and which schema format an events port's payload is given in."""

from __future__ import annotations

from typing import Any

from meshgen.model.loader import ProductFile
from meshgen.model.models import OutputPort
from meshgen.schemas.reporter import Reporter

PAYLOAD_FORMATS = ("avro", "json")


def product_info(pf: ProductFile, subject: str) -> dict[str, Any]:
    """An OpenAPI/AsyncAPI `info` object: title, version, description and the owner as contact."""
    p = pf.product
    info: dict[str, Any] = {"title": f"{p.title or p.name}: {subject}", "version": p.version}
    description = p.description if isinstance(p.description, str) else (p.description.purpose if p.description else None)
    if description:
        info["description"] = description
    contact = {"name": p.owner.team}
    if p.owner.email:
        contact["email"] = p.owner.email
    info["contact"] = contact
    return info


def payload_format(pf: ProductFile, port: OutputPort, index: int, reporter: Reporter, document: str, code: str) -> str:
    """avro or json: the formats a payload schema can be given in (default avro); any other
    format is reported (as `code`, by the `document` kind) and described with the JSON Schema."""
    fmt = port.format or "avro"
    if fmt in PAYLOAD_FORMATS:
        return fmt
    reporter.unsupported(code, f"events port {port.name!r} has format {fmt!r}; {document} describes it with the "
                         "dataset's JSON Schema (the canonical JSON form)", pf.location("outputPorts", index, "format"),
                         "use format avro or json for events ports")
    return "json"
