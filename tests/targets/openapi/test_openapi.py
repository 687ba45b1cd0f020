"""The openapi target: golden files, every document validated by openapi-spec-validator, and
the embedded record schema accepting the dataset's examples."""

from __future__ import annotations

import json

import pytest

from tests.conftest import need_module
from tests.support.golden import golden_cases
from tests.targets.jsonschema.meshes import (
    SOURCES,
    build_case,
    build_source,
    build_and_check_golden,
)


@pytest.mark.parametrize("case", golden_cases("openapi"))
def test_golden(case, tmp_path):
    build_and_check_golden(["openapi"], case, tmp_path)


@pytest.fixture(scope="module", params=SOURCES)
def built(request, tmp_path_factory):
    return build_source(request.param, tmp_path_factory.mktemp(request.param), ["openapi"])


def _documents(built):
    for pf in built.result.mesh.products:
        for port in pf.product.outputPorts:
            if port.type == "rest":
                path = built.product_out(pf) / f"openapi/{port.name}.json"
                yield pf.product.dataset(port.dataset), json.loads(path.read_text(encoding="utf-8"))


def test_documents_pass_openapi_spec_validator(built):
    need_module("openapi_spec_validator")
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate

    documents = list(_documents(built))
    assert documents
    for _, doc in documents:
        validate(doc, cls=OpenAPIV31SpecValidator)


def test_record_schema_accepts_the_examples_and_paths_use_the_key(built):
    jsonschema = need_module("jsonschema")
    for ds, doc in _documents(built):
        record = doc["components"]["schemas"][doc["paths"][next(iter(doc["paths"]))]["get"]["operationId"][4:]]
        validator = jsonschema.Draft202012Validator(record, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        for row in ds.examples:
            assert validator.is_valid(row)
        if ds.primaryKey:
            get = [p for p in doc["paths"].values() if p["get"]["operationId"].startswith("get")]
            assert len(get) == 1
            assert [p["in"] for p in get[0]["get"]["parameters"]] == ["path"] * len(ds.primaryKey)
        listed = [p["name"] for p in doc["paths"][next(iter(doc["paths"]))]["get"]["parameters"]]
        assert listed[:2] == ["page_size", "page_token"]
        assert set(listed[2:]) == set(ds.primaryKey) | set(ds.partitionBy)


def test_a_broken_document_is_rejected_by_the_validator(tmp_path):
    """The validator is not a rubber stamp: a path parameter missing from the operation fails."""
    need_module("openapi_spec_validator")
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    built = build_case("every_type", tmp_path, ["openapi"])
    doc = json.loads(built.files("openapi")[0].read_text(encoding="utf-8"))
    item = next(p for p in doc["paths"].values() if p["get"]["operationId"].startswith("get"))
    item["get"]["parameters"].pop()
    with pytest.raises(OpenAPIValidationError):
        validate(doc, cls=OpenAPIV31SpecValidator)
