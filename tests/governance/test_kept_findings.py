"""A product's governance findings are kept in this user's cache (governance.engine._KeptFindings):
read back when the product, the policies and the day are the same, the same findings as running
the rules; found again when any of them changes, or when the record is not this user's."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest

from meshgen import signed_cache
from meshgen.governance import engine
from meshgen.mesh.loader import load_mesh
from meshgen.mesh.product_cache import FINDINGS_RECORD

CODE = "0.0 sha256:test"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(signed_cache.CACHE_VARIABLE, str(folder))
    monkeypatch.setenv("MESHGEN_TODAY", "2026-12-02")
    return folder


def _checked(mesh, cached=CODE):
    return [d.to_dict() for d in engine.check_mesh(load_mesh(mesh, cached=cached)[0])]


def _todo(spec) -> None:
    """The product's purpose made the placeholder `meshgen init` writes (DOC001 reports it)."""
    text = spec.read_text()
    spec.write_text(text.replace("purpose: ", "purpose: TODO ", 1))
    assert spec.read_text() != text


def _runs(monkeypatch) -> list[str]:
    """The products whose rules run (their findings not read back)."""
    ran, real = [], engine._product_findings
    monkeypatch.setattr(engine, "_product_findings",
                        lambda pf, *a: ran.append(pf.product.address) or real(pf, *a))
    return ran


def test_findings_are_read_back_until_a_product_a_policy_or_the_day_changes(cache, mesh_copy, monkeypatch):
    _todo(mesh_copy / "users/customers/v1/dataproduct.yaml")
    fresh = _checked(mesh_copy, cached=None)
    assert any(d["code"] == "DOC001" for d in fresh)
    assert _checked(mesh_copy) == fresh
    ran = _runs(monkeypatch)
    assert _checked(mesh_copy) == fresh and ran == []
    _todo(mesh_copy / "checkout/orders/v2/dataproduct.yaml")
    _same_as_running(mesh_copy, ran, ["data://checkout/orders/v2"], fresh)
    (mesh_copy / "users/governance.yaml").write_text("rules:\n  DOC001: error\n")
    _same_as_running(mesh_copy, ran, ["data://users/customers/v1"], fresh)
    monkeypatch.setenv("MESHGEN_TODAY", "2031-01-01")
    _same_as_running(mesh_copy, ran, sorted(pf.product.address for pf in load_mesh(mesh_copy)[0].products), fresh)


def _same_as_running(mesh, ran: list[str], expected: list[str], before) -> None:
    """Checking `mesh` runs the rules of the `expected` products only, and finds what running
    every rule finds (not what it found `before`)."""
    ran.clear()
    kept = _checked(mesh)
    assert sorted(ran) == expected
    assert kept == _checked(mesh, cached=None) != before


@pytest.mark.parametrize("damage", ["corrupt", "forged"])
def test_a_damaged_or_planted_findings_record_is_ignored(cache, mesh_copy, monkeypatch, damage):
    fresh = _checked(mesh_copy)
    records = sorted((cache / FINDINGS_RECORD).glob("*.json"))
    assert records
    for path in records:
        signature, _, body = path.read_bytes().partition(b"\n")
        middle = len(body) // 2
        planted = body[:middle] + bytes([body[middle] ^ 1]) + body[middle + 1:]
        if damage == "corrupt":
            path.write_bytes(signature + b"\n" + planted)
        else:
            name = f"{FINDINGS_RECORD}/{path.stem}".encode()
            forged = hmac.new(os.urandom(32), name + b"\0" + planted, hashlib.sha256).hexdigest()
            path.write_bytes(forged.encode() + b"\n" + planted)
    ran = _runs(monkeypatch)
    assert _checked(mesh_copy) == fresh
    assert len(ran) == len(records)


def test_a_plugin_rule_turns_the_records_off(cache, mesh_copy, monkeypatch):
    from meshgen.governance import registry as registries

    real = registries.load_registry

    def with_plugin():
        found = real()
        plugin = type("PluginRule", (found.rules["DOC001"],), {"__module__": "acme_rules.doc"})
        found.rules = {**found.rules, "DOC001": plugin}
        return found

    monkeypatch.setattr(engine, "load_registry", with_plugin)
    _checked(mesh_copy)
    assert not (cache / FINDINGS_RECORD).exists()



def test_meshgens_own_rules_are_given_no_mesh_and_a_plugins_rule_the_whole_mesh(mesh_copy, monkeypatch):
    """meshgen's rules' findings are kept per product, so none of them may read other products:
    their context's mesh raises on any use (a rule that read it would fail every test running it)."""
    from meshgen.clock import today
    from meshgen.governance.registry import Registry, load_registry
    from meshgen.governance.rule import RuleContext

    mesh, seen, real = load_mesh(mesh_copy)[0], [], RuleContext.__init__
    monkeypatch.setattr(RuleContext, "__init__", lambda self, *a, **k: real(self, *a, **k) or seen.append(self.mesh))
    engine.check_mesh(mesh)
    assert seen and all(m is engine._NOT_READ for m in seen)
    with pytest.raises(AssertionError, match=r"ctx\.mesh\.products"):
        engine._NOT_READ.products
    registry, pf = load_registry(), mesh.products[0]
    policy = engine.policies(mesh, registry)[1][pf.product.domain]
    code = next(code for code in registry.rules if policy.rules[code].severity is not None)
    plugin = type("Plugin", (registry.rules[code],), {"__module__": "acme_rules"})
    seen.clear()
    engine._product_findings(pf, mesh, policy, Registry(rules={code: plugin}), today())
    assert seen == [mesh]
