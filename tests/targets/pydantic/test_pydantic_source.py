"""pydantic_source writes the models module itself; datamodel-code-generator is its oracle: for
every dataset of every case mesh, and for generated schemas in the shapes the JSON Schema builder
makes, the module written directly is datamodel-code-generator's byte for byte whenever the
writer takes the schema (it returns None for a shape it leaves to datamodel-code-generator)."""

from __future__ import annotations

import difflib
import json
import subprocess
import sys

import pytest

from meshgen.mesh.loader import load_mesh
from meshgen.model.types import Kind
from meshgen.model.values import INT_RANGE
from meshgen.schemas.jsonschema import JSON_SCHEMA_TYPES, decimal_pattern, nullable
from meshgen.schemas.reporter import Reporter
from meshgen.targets.pydantic_models import generated_models, model_schema
from meshgen.targets.pydantic_source import models_source
from tests.conftest import SPECS, need_module
from tests.support.golden import FIXTURE_CASES, case_source, mesh_cases

# The datasets left to datamodel-code-generator, each for a reason the writer's docstring names.
LEFT_TO_GENERATOR = {
    ("catalog", "odd.records"): "enum symbols it renames ('in-transit', '9lives', ...)",
    ("hostile", "odd records"): "field names it renames or aliases ('prix-€', '\"quoted\" name')",
    ("odd_strings", "notes"): "enum symbols and field names with quotes, comments and template text",
}


@pytest.fixture(autouse=True)
def _generator():
    need_module("datamodel_code_generator")


def _same_module(schema) -> tuple[bool, str]:
    """(whether the writer took the schema, the diff against datamodel-code-generator)."""
    mine = models_source(schema)
    if mine is None:
        return False, ""
    theirs = generated_models(schema)
    return True, "".join(difflib.unified_diff(theirs.splitlines(True), mine.splitlines(True), "generator", "written"))


def _case_datasets():
    sources = {"specs": SPECS, **{case: case_source(case) for case in [*FIXTURE_CASES, *mesh_cases()]}}
    for case, source in sources.items():
        mesh, _ = load_mesh(source)
        for pf in mesh.products:
            for ds in pf.product.datasets:
                yield case, pf, ds


def test_every_case_dataset_is_written_as_the_generator_writes_it():
    left, written = set(), 0
    for case, pf, ds in _case_datasets():
        took, diff = _same_module(model_schema(pf, ds, Reporter()))
        assert not diff, f"{case} {pf.product.address} {ds.name}:\n{diff}"
        if took:
            written += 1
        else:
            left.add((case, ds.name))
    assert left == set(LEFT_TO_GENERATOR), "datasets left to datamodel-code-generator changed"
    assert written >= 25


# Names the generated schemas use: plain, camelCase and long ones, then ones the generator renames.
PLAIN_NAMES = ["id", "name", "amount", "order_id", "trackingUrl", "MixedCase", "status", "line_items", "data", "box",
               "addresses", "x", "sku", "a__b", "x_", "type", "n" * 70, "really_long_field_name_" * 3]
NAMES = PLAIN_NAMES + ["date", "json", "schema", "class", "copy", "model_x", "_x", "register", "Field", "Any", "prix-€",
                       "a b", "ünï"]
PLAIN_SYMBOLS = ["A", "B", "LOW", "paid", "PAID"]
SYMBOLS = PLAIN_SYMBOLS + ["name", "mro", "a b", "9lives", "it's", "_x", "None"]
TEXT = ["", "d", "it's", 'say "hi"', "back\\slash", "new\nline", "tab\t", "\u2028", "é 🚀", "#", "'\"", "x" * 90,
        "word " * 20]


def _schemas(names: list[str], symbols: list[str]):
    from hypothesis import strategies as st

    fixed = st.sampled_from([Kind.STRING, Kind.FLOAT, Kind.DOUBLE, Kind.BOOLEAN, Kind.DATE, Kind.TIME, Kind.TIMESTAMP,
                             Kind.TIMESTAMP_NTZ, Kind.BYTES, Kind.UUID]).map(lambda k: dict(JSON_SCHEMA_TYPES[k]))
    integer = st.sampled_from([Kind.INT, Kind.LONG]).map(
        lambda k: {"type": "integer", "minimum": INT_RANGE[k][0], "maximum": INT_RANGE[k][1]})
    decimal = st.tuples(st.integers(1, 38), st.integers(0, 10)).map(
        lambda ps: {"type": "string", "pattern": decimal_pattern(max(ps), min(ps))})
    enum = st.lists(st.sampled_from(symbols), min_size=1, max_size=4, unique=True).map(
        lambda s: {"type": "string", "enum": s})
    scalar = st.one_of(fixed, integer, decimal, enum, st.just({"not": {"type": "null"}}))

    def containers(inner):
        struct = st.dictionaries(st.sampled_from(names), inner, min_size=1, max_size=3).flatmap(
            lambda props: st.lists(st.sampled_from(sorted(props)), unique=True).map(lambda req: {
                "type": "object", "properties": props, "additionalProperties": False,
                **({"required": req} if req else {})}))
        return st.one_of(st.builds(lambda i: {"type": "array", "items": i}, inner),
                         st.builds(lambda v: {"type": "object", "additionalProperties": v}, inner), struct)

    base = st.recursive(scalar, containers, max_leaves=4)
    return st.builds(_field, base, st.booleans(), st.fixed_dictionaries({}, optional={
        "description": st.sampled_from(TEXT), "deprecated": st.just(True), "examples": st.lists(st.sampled_from(
            [1, 2.5, "x", None, True, {"a": [1]}, "it's"]), min_size=1, max_size=3),
        "x-pii": st.just(True), "x-classification": st.sampled_from(["internal", "confidential"]),
        "maxLength": st.integers(1, 100), "minimum": st.sampled_from([0, 1.5, -10, 10**20]),
        "default": st.just(True), "pattern": st.sampled_from(["^[a-z]+$", "^a'b$"])}))


# A default of each type that has one in meshgen (a value of the field's own type).
_DEFAULTS = {"string": "x", "date": "2026-01-31", "integer": 0, "number": 2.5, "boolean": True}


def _field(base: dict, required: bool, extra: dict) -> tuple[dict, bool]:
    """A field's schema as the builder writes it: keywords only where its type has them."""
    schema = dict(base)
    is_string = schema.get("type") == "string" and "enum" not in schema
    for key in ("maxLength", "pattern"):
        if key in extra and is_string:
            schema[key] = extra[key]
    if "minimum" in extra and schema.get("type") in ("integer", "number"):
        value = extra["minimum"]
        schema["minimum"] = value if schema["type"] == "number" or isinstance(value, int) else 1
    for key in ("description", "deprecated", "examples"):
        if key in extra:
            schema[key] = extra[key]
    default = _DEFAULTS.get(schema.get("format") or schema.get("type"))
    if "default" in extra and default is not None:
        schema["default"] = schema["enum"][0] if "enum" in schema else default
        required = False  # the builder lists a field with a default as not required
    schema = schema if required else nullable(schema)
    schema.update({k: v for k, v in extra.items() if k.startswith("x-")})
    return schema, required


@pytest.mark.parametrize("names", ["plain", "any"])
def test_generated_schemas_are_written_as_the_generator_writes_them(names):
    """`plain`: names and symbols the writer takes (most schemas are written directly); `any`:
    hostile ones too (most are left to datamodel-code-generator)."""
    from hypothesis import HealthCheck, given, settings, strategies as st

    field_names, symbols = (PLAIN_NAMES, PLAIN_SYMBOLS) if names == "plain" else (NAMES, SYMBOLS)

    taken = []

    @settings(max_examples=150, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(fields=st.dictionaries(st.sampled_from(field_names), _schemas(field_names, symbols), min_size=1, max_size=6),
           title=st.sampled_from(["Things", "OrderLines", "X"]))
    def same_module(fields, title):
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:meshgen:d:p:v1:t",
                  "type": "object", "properties": {n: s for n, (s, _) in fields.items()},
                  "additionalProperties": False, "title": title}
        required = [n for n, (_, r) in fields.items() if r]
        if required:
            schema["required"] = required
        took, diff = _same_module(schema)
        assert not diff, diff
        taken.append(took)

    same_module()
    # the comparison means something only if the writer takes a good share of the schemas
    share = 0.4 if names == "plain" else 0.1
    assert sum(taken) >= len(taken) * share, f"the writer took {sum(taken)} of {len(taken)} generated schemas"


def test_a_wide_dataset_is_written_directly():
    """The shape of benchmarks/bench_wide.py: no datamodel-code-generator for it."""
    kinds = [Kind.STRING, Kind.DOUBLE, Kind.BOOLEAN, Kind.DATE, Kind.TIMESTAMP]
    properties = {"id": {"type": "integer", "minimum": INT_RANGE[Kind.LONG][0], "maximum": INT_RANGE[Kind.LONG][1]}}
    for i in range(300):
        properties[f"f{i}"] = nullable({**JSON_SCHEMA_TYPES[kinds[i % len(kinds)]], "description": f"field {i}"})
    schema = {"type": "object", "properties": properties, "additionalProperties": False, "required": ["id"],
              "title": "Things"}
    took, diff = _same_module(schema)
    assert took and not diff, diff


def test_the_generator_writes_the_same_module_whatever_the_working_directory(tmp_path, monkeypatch):
    """datamodel-code-generator's formatter reads the nearest pyproject.toml (line length, import
    sections): a project's own settings must not change meshgen's output."""
    schema = {"type": "object", "title": "T", "additionalProperties": False, "properties": {
        "a_rather_long_name": {"type": ["string", "null"], "description": "some words here"},
        "prix-€": {"type": ["string", "null"]}}}  # a name the writer leaves to the generator
    here = generated_models(schema)
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 40\n[tool.isort]\nforce_single_line = true\n")
    monkeypatch.chdir(tmp_path)
    assert generated_models(schema) == here
    assert "a_rather_long_name: str | None = Field(None, description='some words here')" in here


WORDS = ["LineItems", "Addresses", "Data", "Children", "Statuses", "Indices", "Tags", "Criteria", "Boxes", "Matrices",
         "Item", "News", "Analyses", "Wolves", "People", "Quizzes"]


def _singulars(code: str) -> list:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_inflect_without_typeguard_names_items_as_inflect_does():
    """pydantic_source imports inflect with typeguard's checks switched off for that import (they
    cost seconds): the singulars are inflect's own, and typeguard is left as it was."""
    plain = _singulars(f"import inflect, json; e = inflect.engine(); print(json.dumps([e.singular_noun(w) for w in {WORDS!r}]))")
    ours = _singulars(
        "import json, typeguard; before = typeguard.typechecked\n"
        "from meshgen.targets.pydantic_source import _inflect_engine\n"
        f"e = _inflect_engine(); assert typeguard.typechecked is before\n"
        f"print(json.dumps([e.singular_noun(w) for w in {WORDS!r}]))")
    assert ours == plain and any(ours)
