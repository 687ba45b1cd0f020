"""pydantic v2 consumer models: one module per dataset, generated from the JSON Schema target's
schema by datamodel-code-generator, so a consumer needs nothing but pydantic to validate records.

datamodel-code-generator is an optional extra (`pip install 'meshgen[pydantic-models]'`); it is
imported only when this target runs, with pinned options so the output is the same bytes on
every machine: built-in formatter, Python 3.11 target, no timestamp.
"""

from __future__ import annotations

import json
from typing import ClassVar, Iterable

from meshgen.diagnostics import CodeFamily, DiagnosticCode, Diagnostic, Location, Severity
from meshgen.output import Artifact
from meshgen.model.loader import ProductFile
from meshgen.targets.base import CANNOT_EXPRESS, Target
from meshgen.targets.jsonschema import JsonSchemaTarget

REQUIREMENT = "datamodel_code_generator"
INSTALL_HINT = "pip install 'meshgen[pydantic-models]'"


class PydanticTarget(Target):
    name = "pydantic"
    codes = CodeFamily("PYDANTIC", "The Pydantic target can express the product.", "docs/targets-jsonschema.md", (
        DiagnosticCode("PYDANTIC001", 'error',
                       'the pydantic target needs datamodel-code-generator, which is not installed'),
    ), target="pydantic")
    description = "pydantic v2 models, one module per dataset (needs the pydantic-models extra)"
    requires: ClassVar[tuple[str, ...]] = (REQUIREMENT,)

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        try:
            import datamodel_code_generator as dcg
        except ImportError:
            self.context.diagnostics.append(Diagnostic(
                "PYDANTIC001", Severity.ERROR,
                "target pydantic needs datamodel-code-generator, which is not installed", self._config_location(pf),
                f"{INSTALL_HINT}, or leave `pydantic` out of the targets"))
            return []
        schemas = JsonSchemaTarget(self.context, None)
        out = []
        for ds in pf.product.datasets:
            schema = schemas.document(pf, ds)
            schema.pop("examples", None)  # data, not types
            code = dcg.generate(
                json.dumps(schema),  # declaration order: the models' field order
                input_file_type=dcg.InputFileType.JsonSchema,
                output_model_type=dcg.DataModelType.PydanticV2BaseModel,
                formatters=[dcg.Formatter.BUILTIN],
                target_python_version=dcg.PythonVersion.PY_311,
                disable_timestamp=True,
            )
            header = f"{pf.product.address} dataset {ds.name}, version {pf.product.version}"
            out.append(Artifact(f"{ds.name}.py", self.render("models.py.j2", header=header, code=_body(code))))
        return out

    def _config_location(self, pf: ProductFile) -> Location:
        source = self.mesh.config_source
        return source.location(("targets",)) if source is not None else pf.location()


def _body(code: str) -> str:
    """The generated module without datamodel-code-generator's own header lines (they name stdin)."""
    lines = code.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).rstrip("\n")
