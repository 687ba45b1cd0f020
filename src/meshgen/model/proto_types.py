"""The proto3 type of each meshgen kind: one table for the Protobuf builder (meshgen.schemas.protobuf)
and for the contract rules, which judge a Protobuf-served port by what its proto3 fields become."""

from __future__ import annotations

from meshgen.model.types import DataType, Kind

PROTO_TYPES: dict[Kind, str] = {
    Kind.STRING: "string",
    Kind.INT: "int32",
    Kind.LONG: "int64",
    Kind.FLOAT: "float",
    Kind.DOUBLE: "double",
    Kind.BOOLEAN: "bool",
    Kind.BYTES: "bytes",
    Kind.DECIMAL: "string",
    Kind.DATE: "string",
    Kind.TIME: "string",
    Kind.TIMESTAMP_NTZ: "string",
    Kind.UUID: "string",
}
WELL_KNOWN: dict[Kind, tuple[str, str]] = {
    Kind.TIMESTAMP: ("google.protobuf.Timestamp", "google/protobuf/timestamp.proto"),
    Kind.JSON: ("google.protobuf.Value", "google/protobuf/struct.proto"),
}


def proto_type(t: DataType) -> str:
    """The proto3 field type a value of `t` is written as, with `repeated` / `map<string, …>`
    for collections; structs and enums by their kind (their message or enum is generated)."""
    if t.kind is Kind.ARRAY:
        return "repeated " + proto_type(t.items)
    if t.kind is Kind.MAP:
        return f"map<string, {proto_type(t.values)}>"
    if t.kind in PROTO_TYPES:
        return PROTO_TYPES[t.kind]
    if t.kind in WELL_KNOWN:
        return WELL_KNOWN[t.kind][0]
    return t.kind.value
