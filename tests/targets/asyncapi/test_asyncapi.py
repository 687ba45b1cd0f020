"""The asyncapi and schema-registry targets: golden files, every AsyncAPI document validated
against the official AsyncAPI 3.0.0 JSON Schema, every Avro payload and registry schema parsed
by fastavro, JSON payloads accepting the examples, and the compatibility mapping."""

from __future__ import annotations

import json

import pytest

from meshgen.targets.base import pascal_case
from tests.conftest import ROOT, need_module
from tests.support.golden import golden_cases
from tests.targets.jsonschema.meshes import (
    SOURCES,
    build_case,
    build_source,
    build_and_check_golden,
)
from tests.targets.protobuf.test_protobuf import protoc

ASYNCAPI_SCHEMA = ROOT / "tests" / "fixtures" / "asyncapi-3.0.0-without-id.json"
TARGETS = ["asyncapi", "schema-registry"]


@pytest.mark.parametrize("case", golden_cases("asyncapi"))
def test_golden(case, tmp_path):
    build_and_check_golden(TARGETS, case, tmp_path)


@pytest.fixture(scope="module", params=SOURCES)
def built(request, tmp_path_factory):
    return build_source(request.param, tmp_path_factory.mktemp(request.param), TARGETS)


def _validator():
    jsonschema = need_module("jsonschema")
    schema = json.loads(ASYNCAPI_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _events(built):
    for pf in built.result.mesh.products:
        for port in pf.product.outputPorts:
            if port.type == "events":
                base = built.out / f"{pf.product.domain}/{pf.product.name}/v{pf.product.major}"
                yield pf, port, base


def test_documents_validate_against_the_asyncapi_3_schema(built):
    validator = _validator()
    documents = built.files("asyncapi", ".json")
    assert documents
    for path in documents:
        doc = json.loads(path.read_text(encoding="utf-8"))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
        assert not errors, f"{path.name}: {errors[:3]}"


def test_the_asyncapi_schema_rejects_a_broken_document(tmp_path):
    validator = _validator()
    built = build_case("every_type", tmp_path, ["asyncapi"])
    doc = json.loads(built.files("asyncapi")[0].read_text(encoding="utf-8"))
    del doc["info"]["version"]
    assert not validator.is_valid(doc)


def test_payloads_and_subjects_are_real_schemas(built, tmp_path):
    fastavro = need_module("fastavro")
    jsonschema = need_module("jsonschema")
    checked = 0
    for pf, port, base in _events(built):
        doc = json.loads((base / "asyncapi" / f"{port.name}.json").read_text(encoding="utf-8"))
        (channel,) = doc["channels"].values()
        assert channel["address"] == port.topic
        (message,) = doc["components"]["messages"].values()
        payload = message["payload"]
        ds = pf.product.dataset(port.dataset)
        if (port.format or "avro") == "avro":
            fastavro.parse_schema(payload["schema"])
        else:
            v = jsonschema.Draft202012Validator(payload["schema"], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
            assert all(v.is_valid(row) for row in ds.examples)
        (subject_file,) = [p for p in (base / "schema-registry").iterdir()
                           if json.loads(p.read_text(encoding="utf-8"))["subject"] == f"{port.topic}-value"]
        subject = json.loads(subject_file.read_text(encoding="utf-8"))
        assert subject["compatibility"] == pf.product.compatibility.upper()
        assert subject["compatibility"] in {"BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE",
                                            "FULL", "FULL_TRANSITIVE", "NONE"}
        if subject["schemaType"] == "PROTOBUF":
            assert port.format == "protobuf"
            proto = tmp_path / f"{port.name.replace('-', '_')}.proto"
            proto.write_text(subject["schema"], encoding="utf-8")
            descriptor = protoc(proto, tmp_path, tmp_path / "pb" / port.name)
            assert descriptor.message_type[0].name == pascal_case(ds.name)  # the record comes first
            assert [f.name for f in descriptor.message_type[0].field] == [f.name for f in ds.fields]
            checked += 1
            continue
        schema = json.loads(subject["schema"])
        if subject["schemaType"] == "AVRO":
            fastavro.parse_schema(schema)
            assert schema == payload["schema"]
        else:
            jsonschema.Draft202012Validator.check_schema(schema)
        checked += 1
    assert checked > 0


def test_a_protobuf_events_port_gets_the_protobuf_targets_file_as_its_subject(tmp_path):
    from tests.targets.jsonschema.meshes import build_case as build

    built = build("every_type", tmp_path, ["protobuf", "schema-registry"])
    subject = json.loads(next(p for p in built.files("schema-registry") if "articles-proto" in p.name)
                         .read_text(encoding="utf-8"))
    assert (subject["subject"], subject["schemaType"]) == ("shop.catalog.articles-proto.v1-value", "PROTOBUF")
    assert subject["schema"] == built.files("protobuf", "articles.proto")[0].read_text(encoding="utf-8")
    assert not [d for d in built.result.diagnostics if d.code == "REGISTRY002"]
