"""Every code meshgen reports is declared by the component that reports it, and
docs/diagnostics.md is generated from those declarations."""

from __future__ import annotations

import re

from tests.conftest import ROOT

SRC = ROOT / "src" / "meshgen"
CODE = re.compile(r'"([A-Z]{2,10}\d{3})"')


def emitted_codes() -> dict[str, str]:
    """Every code literal in the source → the first file that names it."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, str(path.relative_to(ROOT)))
    return found


def test_every_code_the_source_names_is_declared():
    from meshgen.reporting.codes import declared

    undeclared = {code: where for code, where in emitted_codes().items() if declared(code) is None}
    assert undeclared == {}, "declare these codes in the CodeFamily of the component that reports them"


def test_every_declared_code_is_reported_somewhere():
    from meshgen.reporting.codes import all_families

    emitted = set(emitted_codes())
    ghosts = [c.code for f in all_families() for c in f.codes if c.code not in emitted and f.prefix != "CONF"]
    assert ghosts == []


def test_families_have_one_prefix_each_and_a_docs_page():
    from meshgen.reporting.codes import all_families, family_prefix

    prefixes = [f.prefix for f in all_families()]
    assert len(prefixes) == len(set(prefixes))
    for family in all_families():
        assert (ROOT / family.docs).is_file(), family.docs
        assert all(family_prefix(c.code) == family.prefix for c in family.codes), family.prefix


def test_every_target_declares_its_own_family():
    """A target's codes live on the target (no list elsewhere names them)."""
    from meshgen.reporting.codes import family_of
    from meshgen.targets import builtin_targets, load_target

    declaring = 0
    for name in builtin_targets():
        cls = load_target(name)
        if cls.codes is None:  # a target that reports nothing (the undeclared-code test covers the rest)
            continue
        declaring += 1
        assert cls.codes.target == name, name
        assert family_of(cls.codes.codes[0].code) is cls.codes
    assert declaring >= 10


def test_a_new_target_brings_its_codes_without_editing_reporting(monkeypatch):
    from meshgen.diagnostics import CodeFamily, DiagnosticCode
    from meshgen.reporting import codes
    from meshgen.reporting.sarif import sarif_log
    from meshgen.diagnostics import Diagnostic, Location, Severity
    from meshgen.targets import base
    import meshgen.targets as targets
    import sys
    import types

    module = types.ModuleType("meshgen_fake_target")

    class FakeTarget(base.Target):
        name = "fake"
        codes = CodeFamily("FAKE", "The fake target can express the product.", "docs/diagnostics.md",
                           (DiagnosticCode("FAKE001", "note", "something fake"),), target="fake")

    module.FakeTarget = FakeTarget
    monkeypatch.setitem(sys.modules, "meshgen_fake_target", module)
    found = {**targets.builtin_targets(), "fake": "meshgen_fake_target:FakeTarget"}
    monkeypatch.setattr(targets, "builtin_targets", lambda: found)
    codes.all_families.cache_clear()
    try:
        assert codes.owner("FAKE001") == "target fake"
        assert "| FAKE001 | note | something fake |" in codes.diagnostics_markdown()
        log = sarif_log([Diagnostic("FAKE001", Severity.NOTE, "m", Location("a.yaml", 1, 1), "h")])
        rule = log["runs"][0]["tool"]["driver"]["rules"]
        assert any(r["id"] == "FAKE001" and "something fake" in r["shortDescription"]["text"] for r in rule)
        assert log["runs"][0]["results"][0]["level"] == "note"
    finally:
        codes.all_families.cache_clear()


def test_diagnostics_md_is_generated_from_the_declarations():
    from meshgen.reporting.codes import diagnostics_markdown

    current = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert current == diagnostics_markdown(), (
        "docs/diagnostics.md is stale: python -m meshgen.reporting.codes > docs/diagnostics.md")
