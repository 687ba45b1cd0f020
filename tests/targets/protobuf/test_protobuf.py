"""The protobuf target: golden files, every .proto compiled by protoc (grpcio-tools) with its
gRPC stubs and imported, and the lock-file rules for stable field numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.errors import ViolationsFound
from tests.conftest import need_module
from tests.support.components import npm_bin
from tests.support.golden import golden_cases
from tests.targets.jsonschema.meshes import (
    SOURCES,
    build_case,
    build_source,
    build_specs,
    build_and_check_golden,
)

CATALOG = Path("shop/catalog/v1/dataproduct.yaml")


@pytest.mark.parametrize("case", golden_cases("protobuf"))
def test_golden(case, tmp_path):
    built = build_and_check_golden(["protobuf"], case, tmp_path)
    lock = json.loads(next(built.mesh.rglob("*.lock.json")).read_text(encoding="utf-8"))
    assert lock["protobuf"], "the lock file records the numbers"


def protoc(proto: Path, root: Path, out: Path):
    """Compile `proto` (its import name relative to `root`, as a consumer would lay it out) with protoc,
    as `python -m grpc_tools.protoc` does (the API call needs the well-known types' include);
    return the FileDescriptorProto."""
    need_module("grpc_tools")
    from google.protobuf import descriptor_pb2
    from grpc_tools import protoc as grpc_protoc

    include = Path(grpc_protoc.__file__).parent / "_proto"
    out.mkdir(parents=True, exist_ok=True)
    args = ["protoc", f"-I{root}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}",
            f"--descriptor_set_out={out / 'set.pb'}", str(proto)]
    assert grpc_protoc.main(args) == 0, f"protoc rejected {proto.name}:\n{proto.read_text(encoding='utf-8')}"
    files = descriptor_pb2.FileDescriptorSet.FromString((out / "set.pb").read_bytes()).file
    return files[-1]


def import_generated(out: Path, proto: Path, root: Path) -> None:
    """Import the generated message and gRPC modules in a fresh interpreter (one descriptor pool each)."""
    rel = proto.relative_to(root).with_suffix("")
    code = (
        "import importlib.util, sys\n"
        f"sys.path.insert(0, {str(out)!r})\n"
        "for suffix in ('_pb2', '_pb2_grpc'):\n"
        f"    path = {str(out / rel)!r} + suffix + '.py'\n"
        "    spec = importlib.util.spec_from_file_location('generated' + suffix, path)\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module", params=SOURCES)
def built(request, tmp_path_factory):
    return build_source(request.param, tmp_path_factory.mktemp(request.param), ["protobuf"])


def test_protoc_compiles_every_file_with_grpc_stubs(built, tmp_path):
    protos = built.files("protobuf", ".proto")
    assert protos
    for i, proto in enumerate(protos):
        out = tmp_path / str(i)
        file = protoc(proto, built.out, out)
        assert file.syntax == "proto3"
        assert file.package == proto.read_text(encoding="utf-8").split("package ", 1)[1].split(";")[0]
        import_generated(out, proto, built.out)


def test_grpc_ports_get_get_and_list_rpcs(tmp_path):
    built = build_specs(tmp_path, ["protobuf"])
    proto = next(p for p in built.files("protobuf", ".proto") if p.name == "shipments.proto")
    file = protoc(proto, built.out, tmp_path / "pb")
    (service,) = file.service
    assert service.name == "ShipmentService"  # named by the port's url
    assert [(m.name, m.input_type, m.output_type) for m in service.method] == [
        ("GetShipments", ".logistics.shipments.v1.GetShipmentsRequest", ".logistics.shipments.v1.GetShipmentsResponse"),
        ("ListShipments", ".logistics.shipments.v1.ListShipmentsRequest", ".logistics.shipments.v1.ListShipmentsResponse"),
    ]
    response = next(m for m in file.message_type if m.name == "GetShipmentsResponse")
    assert [(f.name, f.type_name) for f in response.field] == [("shipments", ".logistics.shipments.v1.Shipments")]
    request = next(m for m in file.message_type if m.name == "ListShipmentsRequest")
    assert [f.name for f in request.field] == ["page_size", "page_token", "shipment_id", "shipped_date"]


def test_types_and_presence(tmp_path):
    built = build_case("every_type", tmp_path, ["protobuf"])
    file = protoc(built.files("protobuf", ".proto")[0], built.out, tmp_path / "pb")
    record = next(m for m in file.message_type if m.name == "Articles")
    fields = {f.name: f for f in record.field}
    assert fields["updated_at"].type_name == ".google.protobuf.Timestamp"
    assert fields["payload"].type_name == ".google.protobuf.Value"
    assert fields["stock"].proto3_optional and not fields["views"].proto3_optional  # not required / required
    assert fields["tags"].label == fields["tags"].LABEL_REPEATED
    state = next(e for e in record.enum_type if e.name == "State")
    assert [(v.name, v.number) for v in state.value][0] == ("STATE_UNSPECIFIED", 0)


def _numbers(built, tmp: Path) -> tuple[dict[str, int], Path]:
    proto = next(p for p in built.files("protobuf", ".proto") if p.name == "articles.proto")
    file = protoc(proto, built.out, tmp)
    record = next(m for m in file.message_type if m.name == "Articles")
    return {f.name: f.number for f in record.field}, proto


def _edit(mesh: Path, change) -> None:
    path = mesh / CATALOG
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_reordering_fields_keeps_their_numbers(tmp_path):
    first = build_case("every_type", tmp_path / "a", ["protobuf"])
    before, _ = _numbers(first, tmp_path / "pb1")
    # Move `region` and `stock` below everything else.
    def reorder(text):
        lines = text.splitlines(keepends=True)
        moved = [l for l in lines if "{name: region," in l or "{name: stock," in l]
        rest = [l for l in lines if l not in moved]
        at = next(i for i, l in enumerate(rest) if "{name: legacy_code" in l) + 1
        return "".join(rest[:at] + moved + rest[at:])
    _edit(first.mesh, reorder)
    build(first.mesh, output=tmp_path / "again", targets=["protobuf"])
    again = type(first)(first.mesh, tmp_path / "again", first.result)
    after, _ = _numbers(again, tmp_path / "pb2")
    assert after == before


def test_a_removed_field_is_reserved_and_its_number_not_reused(tmp_path):
    first = build_case("every_type", tmp_path / "a", ["protobuf"])
    before, _ = _numbers(first, tmp_path / "pb1")
    _edit(first.mesh, lambda t: t.replace("      - {name: stock, type: int, minimum: 0, maximum: 100000}\n", "")
          .replace("        stock: 12\n", "")
          .replace("      - {name: legacy_code,", "      - {name: added_later, type: string}\n      - {name: legacy_code,"))
    build(first.mesh, output=tmp_path / "again", targets=["protobuf"])
    again = type(first)(first.mesh, tmp_path / "again", first.result)
    after, proto = _numbers(again, tmp_path / "pb2")
    text = proto.read_text(encoding="utf-8")
    assert f"reserved {before['stock']};" in text and 'reserved "stock";' in text
    assert "stock" not in after
    assert after["added_later"] == max(before.values()) + 1
    assert {k: v for k, v in after.items() if k != "added_later"} == {k: v for k, v in before.items() if k != "stock"}


def test_frozen_lock_fails_when_a_number_is_missing(tmp_path):
    first = build_case("every_type", tmp_path / "a", ["protobuf"])
    (first.mesh / "meshgen.yaml").write_text("name: all-types\ntargets: {protobuf: {lock: frozen}}\n", encoding="utf-8")
    build(first.mesh, output=tmp_path / "same")  # nothing new: the frozen lock is enough
    lock = first.mesh / CATALOG.with_name("dataproduct.lock.json")
    before = lock.read_bytes()
    _edit(first.mesh, lambda t: t.replace("      - {name: legacy_code,", "      - {name: brand_new, type: string}\n      - {name: legacy_code,"))
    with pytest.raises(ViolationsFound) as caught:
        build(first.mesh, output=tmp_path / "new")
    assert [d.code for d in caught.value.diagnostics if d.severity.label == "error"] == ["PROTO011"]
    assert lock.read_bytes() == before


def test_a_broken_lock_file_is_a_positioned_error(tmp_path):
    first = build_case("every_type", tmp_path / "a", ["protobuf"])
    lock = first.mesh / CATALOG.with_name("dataproduct.lock.json")
    lock.write_text('{"protobuf": {"articles": {"": {"article_id": "one"}}}}', encoding="utf-8")
    with pytest.raises(ViolationsFound) as caught:
        build(first.mesh, output=tmp_path / "x", targets=["protobuf"])
    assert [d.code for d in caught.value.diagnostics if d.severity.label == "error"] == ["PROTO010"]


def test_output_is_the_same_bytes_every_run(tmp_path):
    a = build_case("every_type", tmp_path / "a", ["protobuf"])
    b = build_case("every_type", tmp_path / "b", ["protobuf"])
    fa, fb = a.files("protobuf"), b.files("protobuf")
    assert [p.read_bytes() for p in fa] == [p.read_bytes() for p in fb]


def test_buf_lint_passes_with_the_standard_rules(built):
    """Every product's protobuf folder is a buf module (its buf.yaml selects STANDARD lint rules):
    files sit where their package says, and each RPC has its own request and response."""
    buf = npm_bin("buf")
    modules = sorted({p.parent for p in built.out.rglob("buf.yaml")})
    protos = built.files("protobuf", ".proto")
    assert modules and protos
    assert all(any(module in proto.parents for module in modules) for proto in protos)
    for module in modules:
        done = subprocess.run([str(buf), "lint"], cwd=module, capture_output=True, text=True)
        assert done.returncode == 0, f"buf lint in {module}:\n{done.stdout}{done.stderr}"


def test_renamed_fields_are_one_note_per_message(tmp_path):
    """45 fields that are not lower_snake_case: one PROTO001 for the message, at the first of them,
    naming 20 and counting the rest (a 100,000-field product gets one note, not 100,000); each
    field still keeps its spec name as its json_name."""
    fields = "".join(f"      - {{name: f{i}, type: long, required: true}}\n" for i in range(45))
    product = tmp_path / "mesh" / "dataproduct.yaml"
    product.parent.mkdir()
    product.write_text("apiVersion: meshgen/v1\nkind: DataProduct\ndomain: d\nname: wide\nversion: 1.0.0\n"
                       "owner: {team: t, email: t@example.com}\ndescription: {purpose: many fields}\n"
                       "datasets:\n  - name: things\n    description: one row per thing\n    primaryKey: [f0]\n"
                       "    fields:\n" + fields,
                       encoding="utf-8")
    result = build(product, output=tmp_path / "out", targets=["protobuf"])
    (note,) = [d for d in result.diagnostics if d.code == "PROTO001"]
    assert note.location.line == 13 and note.location.column == 16  # f0's name
    assert note.message.startswith("message Things: 45 fields renamed: 'f0' as 'f_0' (not a lower_snake_case")
    assert note.message.count("' as '") == 20 and "; and 25 more; " in note.message
    file = protoc(next((tmp_path / "out").rglob("things.proto")), tmp_path / "out" / "d" / "wide" / "v1" / "protobuf",
                  tmp_path / "pb")
    assert [(f.name, f.json_name) for f in file.message_type[0].field][:2] == [("f_0", "f0"), ("f_1", "f1")]
