"""Avro: one .avsc per dataset, built by meshgen.schemas.avro (see there for the mapping)."""

from __future__ import annotations

from typing import ClassVar, Iterable

from meshgen.model.loader import ProductFile
from meshgen.output import Artifact
from meshgen.schemas.avro import avro_schema
from meshgen.targets.base import TemplateInfo, Target


class AvroTarget(Target):
    name = "avro"
    description = "Avro schemas (.avsc), one per dataset"
    templates: ClassVar[dict[str, TemplateInfo]] = {"avro/schema.avsc.j2": TemplateInfo(
        "one dataset's Avro schema (`<dataset>.avsc`)",
        (("schema", "the record schema as data (meshgen.schemas.avro_schema), written with the `tojson` filter"),))}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        for ds in pf.product.datasets:
            schema = avro_schema(pf, ds, self.reporter)
            yield Artifact(f"{ds.name}.avsc", self.render("schema.avsc.j2", schema=schema))
