"""JSON Schema (draft 2020-12): one schema per dataset, built by meshgen.schemas.jsonschema
(see there for what it says and why)."""

from __future__ import annotations

from typing import ClassVar, Iterable

from meshgen.model.loader import ProductFile
from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.schemas.jsonschema import shared_json_schema_document
from meshgen.targets.base import CANNOT_EXPRESS, TemplateInfo, Target


class JsonSchemaTarget(Target):
    name = "jsonschema"
    codes = CodeFamily("JSONSCHEMA", "The JSON Schema target can express the product.", "docs/targets-jsonschema.md", (
        DiagnosticCode("JSONSCHEMA001", CANNOT_EXPRESS,
                       'a bound of a decimal field cannot be checked (decimals are strings); it is '
                       'stated in the description'),
    ), target="jsonschema")
    description = "JSON Schema (draft 2020-12), one per dataset, for records in the canonical JSON form"
    templates: ClassVar[dict[str, TemplateInfo]] = {"jsonschema/schema.json.j2": TemplateInfo(
        "one dataset's JSON Schema document (`<dataset>.schema.json`)",
        (("schema", "the document as data (meshgen.schemas.json_schema_document)"),))}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        for ds in pf.product.datasets:
            schema = shared_json_schema_document(pf, ds, self.reporter)  # the pydantic models read it too
            yield Artifact(f"{ds.name}.schema.json", self.render("schema.json.j2", schema=schema))
