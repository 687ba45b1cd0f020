"""meshgen.mesh.mesh_record: the index a build publishes is put together from each product's entry
kept between builds, byte for byte the index of the whole mesh; an edit computes the edited
product's entry only; a damaged, forged or foreign record is ignored."""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import pytest

from meshgen import signed_cache
from meshgen.api import build
from meshgen.mesh import index as mesh_index
from meshgen.mesh.index import INDEX_FILE, index_document
from meshgen.mesh.loader import load_mesh
from meshgen.mesh.mesh_record import MESH_RECORD, MeshRecord
from meshgen.serializer import json_document
from tests.mesh.test_product_cache import cache  # noqa: F401 - the fixture: this user's cache in tmp_path

TARGETS = ["avro"]  # the index is written by every build, whatever its targets
EXISTING_FIELD = "      - name: full_name\n"
ADDED_FIELD = "      - {name: nickname, type: string, description: What the customer likes to be called.}\n"


def _entries_computed(monkeypatch) -> list[str]:
    """The products whose index entry is computed (not taken from the mesh's record)."""
    seen, real = [], mesh_index.product_entry_text
    monkeypatch.setattr(mesh_index, "product_entry_text", lambda pf: seen.append(pf.product.address) or real(pf))
    return seen


def _whole_index(mesh_path) -> bytes:
    mesh, _ = load_mesh(mesh_path)
    return json_document(index_document(mesh)).encode("utf-8")


def test_the_index_of_kept_entries_is_the_whole_mesh_index(cache, mesh_copy, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(mesh_copy, output=out, targets=TARGETS)
    assert (out / INDEX_FILE).read_bytes() == _whole_index(mesh_copy)
    assert len(list((cache / MESH_RECORD).glob("*.json"))) == 1
    spec = mesh_copy / "users/customers/v1/dataproduct.yaml"
    spec.write_text(spec.read_text().replace("One row per registered customer", "Edited. One row", 1))
    computed = _entries_computed(monkeypatch)
    build(mesh_copy, output=out, targets=TARGETS)
    assert computed == ["data://users/customers/v1"]
    assert (out / INDEX_FILE).read_bytes() == _whole_index(mesh_copy)
    assert b"Edited. One row" not in (out / INDEX_FILE).read_bytes()  # descriptions are not in the index...
    spec.write_text(spec.read_text().replace(EXISTING_FIELD, ADDED_FIELD + EXISTING_FIELD, 1))  # ...fields are
    computed.clear()
    build(mesh_copy, output=out, targets=TARGETS)
    assert computed == ["data://users/customers/v1"]
    assert (out / INDEX_FILE).read_bytes() == _whole_index(mesh_copy)
    assert b"nickname" in (out / INDEX_FILE).read_bytes()


def test_a_mesh_of_no_cached_products_computes_every_entry(cache, mesh_copy, monkeypatch):
    mesh, _ = load_mesh(mesh_copy)  # loaded without the cache: no product record names its entry
    computed = _entries_computed(monkeypatch)
    kept = MeshRecord(mesh)
    text = mesh_index.index_text(mesh, kept.index_entry)
    kept.save()
    assert text == json_document(index_document(mesh))
    assert len(computed) == len(mesh.by_address())
    assert not (cache / MESH_RECORD).exists()


def _resign(path, body: bytes, key: bytes | None = None) -> None:
    key = key or signed_cache.cache_key()
    name = f"{MESH_RECORD}/{path.stem}".encode()
    path.write_bytes(hmac.new(key, name + b"\0" + body, hashlib.sha256).hexdigest().encode() + b"\n" + body)


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "planted entry, other key", "other root", "not texts"])
def test_a_damaged_forged_or_foreign_mesh_record_is_ignored(cache, mesh_copy, tmp_path, monkeypatch, damage):
    out = tmp_path / "out"
    build(mesh_copy, output=out, targets=TARGETS)
    (path,) = (cache / MESH_RECORD).glob("*.json")
    signature, _, body = path.read_bytes().partition(b"\n")
    record = json.loads(body)
    planted = {k: '{"address": "data://planted/x/v1"}' for k in record["index"]}
    if damage == "corrupt":  # altered, the signature kept
        path.write_bytes(signature + b"\n" + json.dumps({**record, "index": planted}).encode())
    elif damage == "planted entry, other key":  # altered and signed with another key
        _resign(path, json.dumps({**record, "index": planted}).encode(), os.urandom(32))
    elif damage == "truncated":  # not even JSON
        path.write_bytes(signature + b"\n" + body[: len(body) // 2])
    elif damage == "other root":  # this user's, but another mesh's (a copy under this mesh's name)
        _resign(path, json.dumps({**record, "root": str(tmp_path / "elsewhere"), "index": planted}).encode())
    else:  # signed, this mesh's, but its entries are not texts
        _resign(path, json.dumps({**record, "index": {k: ["x"] for k in record["index"]}}).encode())
    spec = mesh_copy / "users/customers/v1/dataproduct.yaml"
    spec.write_text(spec.read_text().replace(EXISTING_FIELD, ADDED_FIELD + EXISTING_FIELD, 1))
    computed = _entries_computed(monkeypatch)
    build(mesh_copy, output=out, targets=TARGETS)
    assert sorted(computed) == sorted(load_mesh(mesh_copy)[0].by_address())
    index = (out / INDEX_FILE).read_bytes()
    assert index == _whole_index(mesh_copy) and b"planted" not in index
