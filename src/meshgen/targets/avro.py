"""Avro: one .avsc per dataset, built by meshgen.schemas.avro (see there for the mapping)."""

from __future__ import annotations

from typing import ClassVar, Iterable

from meshgen.model.loader import ProductFile
from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.output import Artifact
from meshgen.schemas.avro import avro_schema
from meshgen.targets.base import CANNOT_EXPRESS, TemplateInfo, Target


class AvroTarget(Target):
    name = "avro"
    codes = CodeFamily("AVRO", "The Avro target can express the product.", "docs/targets-avro.md", (
        DiagnosticCode("AVRO001", CANNOT_EXPRESS,
                       'a field name is not a valid Avro name; written with invalid characters replaced'),
        DiagnosticCode("AVRO002", CANNOT_EXPRESS,
                       'an enum symbol is not a valid Avro symbol; the field is written as a string'),
    ), target="avro")
    description = "Avro schemas (.avsc), one per dataset"
    templates: ClassVar[dict[str, TemplateInfo]] = {"avro/schema.avsc.j2": TemplateInfo(
        "one dataset's Avro schema (`<dataset>.avsc`)",
        (("schema", "the record schema as data (meshgen.schemas.avro_schema), written with the `tojson` filter"),))}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        for ds in pf.product.datasets:
            schema = avro_schema(pf, ds, self.reporter)
            yield Artifact(f"{ds.name}.avsc", self.render("schema.avsc.j2", schema=schema))
