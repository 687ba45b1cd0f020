"""Schema builders: a dataset's Avro, JSON Schema and Protobuf schema, built by pure functions
over (product file, dataset, reporter) and shared by every target that writes or embeds one.

    from meshgen.schemas import Reporter, avro_schema, json_schema, json_schema_document, proto_text

    reporter = Reporter(strict=False)          # or a target's `self.reporter` (one per build)
    avro_schema(pf, ds, reporter)              # the record schema (dict), as in the .avsc
    json_schema(pf, ds, reporter)              # the record schema (dict), no $schema/$id
    json_schema_document(pf, ds, reporter)     # the .schema.json document ($schema, $id, examples)
    embedded_json_schema(pf, ds, reporter)     # the document without $schema/$id (for embedding)
    proto_file(pf, ds, lock, reporter)         # the .proto template's values (numbers from `lock`)
    proto_text(renderer, pf, ds, reporter)     # the .proto text, numbered from the lock as it stands
    reporter.diagnostics                       # what the formats could not express, each fact once

A builder keeps nothing between calls and never writes: the protobuf target alone writes the
lock file. Type tables are kept both ways for importers: AVRO_TYPES / kind_of_avro,
JSON_SCHEMA_TYPES / kind_of_json_schema, PROTO_TYPES / kind_of_proto.
"""

from meshgen.schemas.avro import AVRO_TYPES, avro_default, avro_record, avro_schema, kind_of_avro, namespace
from meshgen.schemas.jsonschema import (
    JSON_SCHEMA_TYPES, embedded_json_schema, json_schema, json_schema_document, kind_of_json_schema,
)
from meshgen.schemas.protobuf import PROTO_TYPES, kind_of_proto, proto_file, proto_text, read_number_lock
from meshgen.schemas.reporter import Reporter

__all__ = [
    "AVRO_TYPES", "JSON_SCHEMA_TYPES", "PROTO_TYPES", "Reporter", "avro_default", "avro_record", "avro_schema",
    "embedded_json_schema", "json_schema", "json_schema_document", "kind_of_avro", "kind_of_json_schema",
    "kind_of_proto", "namespace", "proto_file", "proto_text", "read_number_lock",
]
