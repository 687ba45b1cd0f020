"""meshgen.mesh.product_cache: a product file loaded before is read back from this user's cache,
the same products and findings as loading it; a damaged, planted or hostile record is ignored."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle

import pytest

from meshgen import signed_cache
from meshgen.mesh import loader
from meshgen.mesh.product_cache import PRODUCT_RECORD

CODE = "0.0 sha256:test"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(signed_cache.CACHE_VARIABLE, str(folder))
    return folder


def _loaded(mesh, cached=CODE):
    mesh_, diagnostics = loader.load_mesh(mesh, cached=cached)
    return mesh_, [d.to_dict() for d in diagnostics]


def _parses(monkeypatch) -> list[str]:
    """The product files the loader parses (not read back from a record)."""
    seen, real = [], loader.parse_yaml
    monkeypatch.setattr(loader, "parse_yaml", lambda text, shown, path=None, **k: seen.append(shown) or
                        real(text, shown, path, **k))
    return seen


def _records(cache):
    return sorted((cache / PRODUCT_RECORD).glob("*.json"))


def _same(a, b) -> None:
    assert [pf.path for pf in a.products] == [pf.path for pf in b.products]
    assert [pf.product for pf in a.products] == [pf.product for pf in b.products]
    assert [pf.document.data for pf in a.products] == [pf.document.data for pf in b.products]
    assert [pf.source for pf in a.products] == [pf.source for pf in b.products]


def test_a_product_loaded_before_is_read_back_with_the_same_findings(cache, mesh_copy, monkeypatch):
    fresh, fresh_findings = _loaded(mesh_copy, cached=None)
    assert not cache.exists()  # without `cached` nothing is recorded
    first, first_findings = _loaded(mesh_copy)
    assert len(_records(cache)) == len(first.products) > 1
    parses = _parses(monkeypatch)
    again, again_findings = _loaded(mesh_copy)
    assert parses == []
    _same(again, fresh)
    assert again_findings == first_findings == fresh_findings
    # a read-back product serves the resolved layer as a fresh one does
    pf = again.products[0]
    assert again.resolved(pf).address == fresh.resolved(fresh.products[0]).address
    assert pf.product.datasets[0].fields[0].data_type == fresh.products[0].product.datasets[0].fields[0].data_type


def test_an_edited_file_is_loaded_again_and_other_code_has_its_own_records(cache, mesh_copy, monkeypatch):
    _loaded(mesh_copy)
    spec = mesh_copy / "users/customers/v1/dataproduct.yaml"
    spec.write_text(spec.read_text().replace("One row per registered customer", "Edited. One row", 1))
    parses = _parses(monkeypatch)
    edited, _ = _loaded(mesh_copy)
    assert parses == [str(spec)] or [p.endswith("users/customers/v1/dataproduct.yaml") for p in parses] == [True]
    assert "Edited. One row" in edited.get("data://users/customers/v1").product.datasets[0].description
    parses.clear()
    _loaded(mesh_copy, cached="0.0 sha256:other")
    assert len(parses) == len(edited.products)


def _resign(path, body, key=None):
    """`body` written as the record at `path`, signed with `key` (default: this user's)."""
    key = key or signed_cache.cache_key()
    name = f"{PRODUCT_RECORD}/{path.stem}".encode()
    path.write_bytes(hmac.new(key, name + b"\0" + body, hashlib.sha256).hexdigest().encode() + b"\n" + body)


class _Planted:
    """A pickle that would run a command when read by a plain unpickler."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("damage", ["corrupt", "forged", "hostile", "not a product"])
def test_a_damaged_planted_or_hostile_record_is_ignored(cache, mesh_copy, monkeypatch, tmp_path, damage):
    fresh, fresh_findings = _loaded(mesh_copy)
    marker = tmp_path / "ran"
    for path in _records(cache):
        signature, _, body = path.read_bytes().partition(b"\n")
        middle = len(body) // 2
        planted = body[:middle] + bytes([body[middle] ^ 1]) + body[middle + 1:]
        if damage == "corrupt":  # altered, the signature kept
            path.write_bytes(signature + b"\n" + planted)
        elif damage == "forged":  # altered and signed with another key
            _resign(path, planted, os.urandom(32))
        elif damage == "hostile":  # signed with this user's key (a leaked key), but it calls a function
            _resign(path, pickle.dumps((_Planted(marker), [])))
        else:  # signed, well-formed, but not a product file and its findings
            _resign(path, pickle.dumps(({"datasets": []}, [])))
    parses = _parses(monkeypatch)
    again, again_findings = _loaded(mesh_copy)
    assert len(parses) == len(fresh.products)  # every file parsed again
    assert not marker.exists()
    _same(again, fresh)
    assert again_findings == fresh_findings
