"""SARIF 2.1.0 (validated against the official JSON Schema, copied next to this file), GitHub
workflow commands, --fail-on, and `meshgen build` refusing to write while errors remain."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT

CASES = Path(__file__).parent / "cases"
SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())


def _sarif(cli, path, *extra) -> dict:
    result = cli("validate", path, "--format", "sarif", *extra)
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


@pytest.mark.parametrize("case", ["waivers/valid", "waivers/problems", "NAM001/fail", "policy/bad-mesh-policy",
                                  "DEP002/fail"])
def test_sarif_is_valid_and_complete(case, cli, monkeypatch):
    monkeypatch.chdir(CASES / case)
    log = _sarif(cli, ".")
    json_out = json.loads(cli("validate", ".", "--format", "json").stdout)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and "PII001" in ids
    for r in rules:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert r["help"]["text"] and r["help"]["markdown"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")
    pii = rules[ids.index("PII001")]
    assert pii["name"] == "pii.protection-required" and "Anti-pattern" in pii["help"]["markdown"]
    # one result per diagnostic, same order, position and severity as the JSON output
    assert len(run["results"]) == len(json_out)
    for res, d in zip(run["results"], json_out):
        assert res["ruleId"] == d["code"] and ids[res["ruleIndex"]] == d["code"]
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[d["severity"]]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": d["file"], "uriBaseId": "%SRCROOT%"}
        assert loc["region"] == {"startLine": d["line"], "startColumn": d["column"]}
        assert res["message"]["text"].startswith(d["message"])
        assert res["locations"][0].get("logicalLocations") == (
            [{"fullyQualifiedName": d["path"], "kind": "member"}] if d.get("path") else None)
        assert len(res["partialFingerprints"]["meshgenFinding/v1"]) == 32
        if d.get("suppressed"):
            assert res["suppressions"] == [{"kind": "external", "status": "accepted",
                                            "justification": d["suppressed"]["justification"]}]
        else:
            assert "suppressions" not in res


def test_sarif_fingerprints_survive_moved_lines_and_tell_findings_apart(cli, tmp_path, monkeypatch):
    """GitHub matches alerts across commits by fingerprint: inserting lines above a finding keeps it."""
    mesh = tmp_path / "mesh"
    shutil.copytree(CASES / "waivers/nested", mesh)
    monkeypatch.chdir(mesh)

    def fingerprints():
        results = _sarif(cli, ".")["runs"][0]["results"]
        return [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
                 r["partialFingerprints"]["meshgenFinding/v1"]) for r in results]

    before = fingerprints()
    assert len({fp for _, _, fp in before}) == len(before)  # every finding its own identity
    product = mesh / "sales/orders/v1/dataproduct.yaml"
    product.write_text("# a comment\n# and another\n" + product.read_text())
    after = fingerprints()
    assert [line + 2 for _, line, _ in before] == [line for _, line, _ in after]
    assert [(code, fp) for code, _, fp in before] == [(code, fp) for code, _, fp in after]


def test_sarif_core_descriptor_uses_the_reported_level(cli, monkeypatch):
    from meshgen.diagnostics import Diagnostic, Location, Severity
    from meshgen.reporting.sarif import sarif_log

    log = sarif_log([Diagnostic("SQL001", Severity.WARNING, "m", Location("a.yaml", 3, 4), "h"),
                     Diagnostic("VERSION007", Severity.ERROR, "m", Location("a.yaml", 5, 1), "h")])
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["SQL001"]["defaultConfiguration"]["level"] == "warning"
    assert "docs/targets-sql.md" in rules["SQL001"]["help"]["text"]
    assert rules["VERSION007"]["defaultConfiguration"]["level"] == "error"
    assert "docs/contracts.md" in rules["VERSION007"]["help"]["markdown"]


def test_sarif_marks_waived_findings_as_suppressed(cli, monkeypatch):
    monkeypatch.chdir(CASES / "waivers/valid")
    results = _sarif(cli, ".")["runs"][0]["results"]
    assert [(r["ruleId"], r["suppressions"][0]["justification"]) for r in results] == [
        ("DEP001", "Legacy consumers are migrating to customer_id."),
        ("DEP001", "Removed together with user_id."),
    ]


def test_sarif_for_core_codes_and_the_example_mesh(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    log = _sarif(cli, "tests/core/bad_inputs/bad_primary_key.yaml")
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert "REF001" in rules and "core" in rules["REF001"]["properties"]["tags"]
    clean = _sarif(cli, "specs")  # validate runs the targets: only their notes remain
    results = clean["runs"][0]["results"]
    assert results and {r["level"] for r in results} == {"note"}


def test_sarif_is_deterministic(cli, monkeypatch):
    monkeypatch.chdir(CASES / "waivers/problems")
    first = cli("validate", ".", "--format", "sarif").stdout
    assert first == cli("validate", ".", "--format", "sarif").stdout
    assert "2026" not in first.replace("2026-11-01", "")  # no timestamps of the run


def test_github_annotations(cli, monkeypatch):
    monkeypatch.chdir(CASES / "waivers/problems")
    lines = cli("validate", ".", "--format", "github").stdout.splitlines()
    expected = [l for l in (CASES / "waivers/problems/expected.txt").read_text().splitlines()
                if not l.startswith("waived ")]
    assert len(lines) == len(expected)
    first = lines[0]
    assert first.startswith("::warning file=sales/orders/v1/dataproduct.yaml,line=14,col=51,"
                            "title=DEP001 lifecycle.deprecated-field::deprecated field")
    assert "%0Ahint: " in first and "\n" not in first
    assert sum(l.startswith("::error ") for l in lines) == sum(l.startswith("error ") for l in expected)


def test_github_escapes_commas_colons_and_newlines(tmp_path, cli, monkeypatch):
    from meshgen.diagnostics import Diagnostic, Location, Severity
    from meshgen.reporting.sarif import format_github

    d = Diagnostic("X001", Severity.ERROR, "50% broken:\nsecond line", Location("a,b:c.yaml", 2, 3), "fix, then: rerun")
    out = format_github([d])
    assert out == "::error file=a%2Cb%3Ac.yaml,line=2,col=3,title=X001::50%25 broken:%0Asecond line%0Ahint: fix, then: rerun\n"
    assert format_github([Diagnostic("X001", Severity.INFO, "m", Location("f"), "", suppressed_by="ok")]) == ""


def test_fail_on(cli, monkeypatch):
    monkeypatch.chdir(CASES / "DEP001/fail")  # one warning, no error
    assert cli("validate", ".").exit_code == 0
    assert cli("validate", ".", "--fail-on", "warning").exit_code == 1
    monkeypatch.chdir(CASES / "KEY001/fail")  # one error
    assert cli("validate", ".").exit_code == 1
    assert cli("validate", ".", "--fail-on", "never").exit_code == 0
    monkeypatch.chdir(CASES / "waivers/valid")  # only waived findings
    assert cli("validate", ".", "--fail-on", "warning").exit_code == 0


def test_build_refuses_to_write_while_governance_errors_remain(tmp_path, cli):
    mesh = tmp_path / "mesh"
    shutil.copytree(CASES / "KEY001/fail", mesh)
    result = cli("build", mesh, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "KEY001" in result.output
    assert not (tmp_path / "out").exists()
    (mesh / "meshgen.yaml").write_text("governance:\n  rules:\n    KEY001: warning\n")
    result = cli("build", mesh, "-o", tmp_path / "out", "-t", "avro")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out").is_dir()


def test_sarif_is_the_same_under_every_hash_seed():
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "MESHGEN_TODAY": "2026-11-26"}
        out = subprocess.run([sys.executable, "-m", "meshgen", "validate", ".", "--format", "sarif"],
                             cwd=CASES / "waivers/problems", env=env, capture_output=True, text=True)
        assert out.returncode == 1, out.stderr
        outputs.add(out.stdout)
    assert len(outputs) == 1


def test_sarif_related_positions_in_a_git_revision_are_described_not_linked():
    from meshgen.diagnostics import Diagnostic, Location, Severity
    from meshgen.reporting.sarif import sarif_log

    d = Diagnostic("BRK201", Severity.ERROR, "field 'user_id' was removed", Location("shop/orders/v1/dataproduct.yaml", 9, 5),
                   "keep it", related=(Location("HEAD:shop/orders/v1/dataproduct.yaml", 12, 7),
                                       Location("marketing/attribution/v1/dataproduct.yaml", 18, 24)))
    log = sarif_log([d])
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    old, consumer = log["runs"][0]["results"][0]["relatedLocations"]
    assert "physicalLocation" not in old
    assert old["message"]["text"] == "previous version: HEAD:shop/orders/v1/dataproduct.yaml:12:7"
    assert consumer["physicalLocation"]["artifactLocation"]["uri"] == "marketing/attribution/v1/dataproduct.yaml"
