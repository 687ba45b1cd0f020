"""The jsonschema target: golden files, and every schema checked by the real validator
(jsonschema, draft 2020-12 with format checking): the meta-schema accepts it, it accepts each
dataset's examples, and it rejects the mutated examples that meshgen itself rejects."""

from __future__ import annotations

import json

import pytest

from meshgen.model.values import ValueProblem, record_to_python
from tests.conftest import need_module
from tests.support.golden import golden_cases
from tests.targets.jsonschema.meshes import (
    SOURCES,
    build_case,
    build_source,
    build_and_check_golden,
)
from tests.targets.jsonschema.mutations import mutated_examples


@pytest.mark.parametrize("case", golden_cases("jsonschema"))
def test_golden(case, tmp_path):
    build_and_check_golden(["jsonschema"], case, tmp_path)


@pytest.fixture(scope="module", params=SOURCES)
def built(request, tmp_path_factory):
    return build_source(request.param, tmp_path_factory.mktemp(request.param), ["jsonschema"])


def _schemas(built):
    for pf in built.result.mesh.products:
        for ds in pf.product.datasets:
            path = built.product_out(pf) / "jsonschema" / f"{ds.name}.schema.json"
            yield ds, json.loads(path.read_text(encoding="utf-8"))


def test_schemas_pass_the_meta_schema_and_accept_the_examples(built):
    jsonschema = need_module("jsonschema")
    validator_cls = jsonschema.Draft202012Validator
    count = 0
    for ds, schema in _schemas(built):
        validator_cls.check_schema(schema)
        validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
        assert ds.examples == schema.get("examples", [])
        for row in ds.examples:
            errors = [e.message for e in validator.iter_errors(row)]
            assert not errors, f"{ds.name}: example rejected: {errors}"
            count += 1
    assert count > 0


def test_schemas_reject_mutated_examples_like_meshgen_does(built):
    jsonschema = need_module("jsonschema")
    validator_cls = jsonschema.Draft202012Validator
    checked = 0
    for ds, schema in _schemas(built):
        validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
        for what, row in mutated_examples(ds):
            with pytest.raises(ValueProblem):
                record_to_python(row, ds.fields)
            assert not validator.is_valid(row), f"{ds.name}: {what} was accepted"
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("value, valid", [
    ("19.99", True), ("-0.5", True), ("1234567890.12", True), ("12345678901", False), ("1.999", False),
    (19.99, False), ("1e3", False), ("", False),
])
def test_decimal_form_matches_the_canonical_text(value, valid, tmp_path):
    jsonschema = need_module("jsonschema")
    built = build_case("every_type", tmp_path, ["jsonschema"])
    schema = json.loads(built.files("jsonschema")[0].read_text(encoding="utf-8"))
    price = {k: v for k, v in schema["properties"]["price"].items() if k not in ("examples",)}
    price.pop("pattern")  # price has minimum 0; this checks the signed form of decimal(12,2)
    from meshgen.schemas.jsonschema import decimal_pattern
    price["pattern"] = decimal_pattern(12, 2)
    assert jsonschema.Draft202012Validator(price).is_valid(value) is valid


def test_timestamps_need_a_zone_and_ntz_has_none(tmp_path):
    jsonschema = need_module("jsonschema")
    built = build_case("every_type", tmp_path, ["jsonschema"])
    schema = json.loads(built.files("jsonschema")[0].read_text(encoding="utf-8"))
    v = jsonschema.Draft202012Validator
    ts = v(schema["properties"]["updated_at"], format_checker=v.FORMAT_CHECKER)
    ntz = v(schema["properties"]["local_release"], format_checker=v.FORMAT_CHECKER)
    assert ts.is_valid("2026-02-01T08:00:00Z") and not ts.is_valid("2026-02-01T08:00:00")
    assert ntz.is_valid("2026-02-01T08:00:00") and not ntz.is_valid("2026-02-01T08:00:00Z")
    assert ntz.is_valid(None)  # not required: null is allowed
    assert not ts.is_valid(None)  # required: never null


def test_required_means_never_null_and_listed_unless_defaulted(tmp_path):
    built = build_case("every_type", tmp_path, ["jsonschema"])
    schema = json.loads(built.files("jsonschema")[0].read_text(encoding="utf-8"))
    required = set(schema["required"])
    assert "article_id" in required and "views" not in required  # views has a default
    assert schema["properties"]["views"]["type"] == "integer"  # ...but is never null
    assert schema["properties"]["stock"]["type"] == ["integer", "null"]
