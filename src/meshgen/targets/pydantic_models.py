"""pydantic v2 consumer models: one module per dataset, from the JSON Schema target's schema, so a
consumer needs nothing but pydantic to validate records.

The module is the one datamodel-code-generator writes for that schema (pinned options, so the
same bytes on every machine: built-in formatter, Python 3.11 target, no timestamp). meshgen
writes it itself (targets/pydantic_source.py, the same bytes without ~1 ms per field) for every
shape it knows, and runs datamodel-code-generator for the rest (nested objects, enums in arrays
or maps, names it renames: see that module). datamodel-code-generator is an optional extra
(`pip install 'meshgen[pydantic-models]'`), imported only when a dataset needs it.
"""

from __future__ import annotations

import copy
import keyword
from typing import Any, ClassVar, Iterable, Iterator

from meshgen.diagnostics import CodeFamily, DiagnosticCode, Diagnostic, Location, Severity
from meshgen.output import Artifact
from meshgen.schemas.privacy import X_KEYWORDS
from meshgen.serializer import json_text
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset
from meshgen.model.types import DataType, Kind
from meshgen.schemas.reporter import Reporter
from meshgen.targets.base import TemplateInfo, Target
from meshgen.targets.pydantic_source import models_source
from meshgen.schemas.jsonschema import shared_json_schema_document

REQUIREMENT = "datamodel_code_generator"
INSTALL_HINT = "pip install 'meshgen[pydantic-models]'"
# datamodel-code-generator's time grows with the square of an enum's symbols (each member's name
# is checked against a copy of the names before it): 16,000 symbols take 25 s, 100,000 an hour.
# A larger enum is typed `str` in the model (the JSON Schema target keeps its symbols).
MAX_ENUM_SYMBOLS = 5000


class PydanticTarget(Target):
    name = "pydantic"
    codes = CodeFamily("PYDANTIC", "The Pydantic target can express the product.", "docs/targets-jsonschema.md", (
        DiagnosticCode("PYDANTIC001", 'error',
                       'the pydantic target needs datamodel-code-generator for a dataset whose shapes meshgen '
                       'does not write itself (names or enum symbols it renames), and it is not installed'),
        DiagnosticCode("PYDANTIC002", 'note',
                       f'an enum of more than {MAX_ENUM_SYMBOLS:,} symbols is typed `str` in the pydantic model'),
    ), target="pydantic")
    description = "pydantic v2 models, one module per dataset (needs the pydantic-models extra)"
    requires: ClassVar[tuple[str, ...]] = (REQUIREMENT,)
    templates: ClassVar[dict[str, TemplateInfo]] = {"pydantic/models.py.j2": TemplateInfo(
        "one dataset's Python module (`<dataset>.py`)",
        (("header", "the product address, dataset and version (one line; use the `comment` filter)"),
         ("code", "the models module (datamodel-code-generator's bytes), without its header"),
         ("writer", "who wrote `code`: `meshgen` (the bytes datamodel-code-generator would write) or "
                    "`datamodel-code-generator` (for the shapes meshgen leaves to it)")))}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        out = []
        for ds in pf.product.datasets:
            schema = model_schema(pf, ds, self.reporter)
            code, writer = models_source(schema), "meshgen"
            if code is None:
                try:
                    import datamodel_code_generator  # noqa: F401  (only for the shapes pydantic_source leaves)
                except ImportError:
                    self.context.diagnostics.append(Diagnostic(
                        "PYDANTIC001", Severity.ERROR,
                        f"target pydantic needs datamodel-code-generator for dataset {ds.name!r}, which is not "
                        "installed", self._config_location(pf),
                        f"{INSTALL_HINT}, or leave `pydantic` out of the targets (docs/targets-jsonschema.md says "
                        "which shapes meshgen writes without it)"))
                    return []
                code, writer = generated_models(schema), "datamodel-code-generator"
            header = f"{pf.product.address} dataset {ds.name}, version {pf.product.version}"
            out.append(Artifact(f"{ds.name}.py", self.render("models.py.j2", header=header, code=code, writer=writer)))
        return out

    def _config_location(self, pf: ProductFile) -> Location:
        source = self.mesh.config_source
        return source.location(("targets",)) if source is not None else pf.location()


def model_schema(pf: ProductFile, ds: Dataset, reporter: Reporter) -> dict[str, Any]:
    """The JSON Schema the models are written from: the jsonschema target's document without
    its examples, an enum of more than MAX_ENUM_SYMBOLS symbols typed string (PYDANTIC002)."""
    schema = dict(shared_json_schema_document(pf, ds, reporter))  # the jsonschema target's: changed in a copy
    schema.pop("examples", None)  # data, not types
    if keyword.iskeyword(schema.get("title", "")):  # datasets none, true, false: no class can be named so
        schema["title"] += "Model"
    if not any(_has_large_enum(f.data_type) for f in ds.fields):
        return schema  # nothing to strip: the schema of a wide dataset is not walked again
    schema = copy.deepcopy(schema)
    for dotted, count in _strip_large_enums(schema, ()):
        reporter.unsupported(
            "PYDANTIC002", f"enum {dotted!r} has {count:,} symbols: the pydantic model types it as str",
            pf.location(*pf.field_path(ds.name, dotted)),
            f"at most {MAX_ENUM_SYMBOLS:,} symbols become a StrEnum; the JSON Schema target lists them all")
    return schema


def generated_models(schema: dict[str, Any]) -> str:
    """datamodel-code-generator's module for `schema`, without its header. The pydantic target's models for the shapes pydantic_source leaves to it,
    and the oracle its tests compare pydantic_source with."""
    import tempfile
    from pathlib import Path

    import datamodel_code_generator as dcg

    # Its formatter reads line length and import sections from the nearest pyproject.toml above
    # the working directory: an empty one of its own keeps the output the same wherever meshgen runs.
    with tempfile.TemporaryDirectory() as settings:
        (Path(settings) / "pyproject.toml").write_text("", encoding="utf-8")
        code = dcg.generate(
            json_text(schema, compact=True, sort_keys=False),  # declaration order: the models' field order
            input_file_type=dcg.InputFileType.JsonSchema,
            output_model_type=dcg.DataModelType.PydanticV2BaseModel,
            formatters=[dcg.Formatter.BUILTIN],
            target_python_version=dcg.PythonVersion.PY_311,
            disable_timestamp=True,
            field_extra_keys=set(X_KEYWORDS),  # pii and classification as Field(json_schema_extra=...)
            settings_path=Path(settings),
        )
    return _body(code)


def _has_large_enum(t: DataType) -> bool:
    """Whether a type holds an enum of more than MAX_ENUM_SYMBOLS symbols, at any depth."""
    if t.kind is Kind.ENUM:
        return len(t.symbols) > MAX_ENUM_SYMBOLS
    if t.kind in (Kind.ARRAY, Kind.MAP):
        return _has_large_enum(t.items if t.kind is Kind.ARRAY else t.values)
    return t.kind is Kind.STRUCT and any(_has_large_enum(f.data_type) for f in t.fields)


def _strip_large_enums(schema: Any, names: tuple[str, ...]) -> Iterator[tuple[str, int]]:
    """Remove (in place) every enum longer than MAX_ENUM_SYMBOLS; yield each one's dotted field
    name and size. Only `properties` add to the name (array items and map values do not)."""
    if isinstance(schema, list):
        for item in schema:
            yield from _strip_large_enums(item, names)
        return
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("enum"), list) and len(schema["enum"]) > MAX_ENUM_SYMBOLS:
        yield ".".join(names), len([v for v in schema.pop("enum") if v is not None])
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            for name, member in value.items():
                yield from _strip_large_enums(member, names + (name,))
        elif key not in ("examples", "default", "const"):
            yield from _strip_large_enums(value, names)


def _body(code: str) -> str:
    """The generated module without datamodel-code-generator's own header lines (they name stdin)."""
    # split("\n"), not splitlines(): a vertical tab, form feed or U+2028 inside a string literal
    # is not a line end, and splitting there would break the literal (issue 9.7).
    lines = code.split("\n")
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).rstrip("\n")
