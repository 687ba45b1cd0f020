"""The example mesh, the normative reference file and the `meshgen init` scaffold pass the default
policy; schedule periods; the `meshgen rules` listing; the pinned date."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from meshgen.api import check
from meshgen.diagnostics import Severity
from meshgen.model.cron import CronError, longest_gap_seconds
from tests.conftest import ROOT, SPECS


def test_example_mesh_has_no_governance_findings():
    # validate runs the targets too: what they cannot express is a note, not a finding to act on
    diagnostics = [d for d in check(SPECS).diagnostics.sorted() if d.severity >= Severity.WARNING]
    assert diagnostics == []


def test_reference_file_builds(cli, tmp_path, reference_copy):
    result = cli("build", reference_copy, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 0, result.output
    codes = {d["code"]: d["severity"] for d in json.loads(result.stdout)}
    # its waiver names a placeholder rule: a warning, not an error
    assert codes.get("GOV014") == "warning"
    assert "error" not in codes.values()


def test_meshgen_init_scaffold_passes_the_default_policy(tmp_path, cli):
    result = cli("init", tmp_path, "--domain", "d", "--name", "n", "--owner-team", "t", "--no-input",
                 "--owner-email", "t@example.com", "--purpose", "Every n of d.")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d/n/v1/dataproduct.yaml").is_file()
    assert [(d.code, d.message) for d in check(tmp_path).diagnostics.sorted()] == []


@pytest.mark.parametrize("schedule, period", [
    ("*/15 * * * *", "15m"), ("@hourly", "1h"), ("0 * * * *", "1h"), ("*/5 * * * *", "5m"),
    ("7,52 * * * *", "45m"), ("0 */6 * * *", "6h"), ("0 2 * * *", "1d"), ("0 2 * * 1-5", "3d"),
    ("0 2 * * MON-FRI", "3d"), ("0,30 9-17 * * *", "15h30m"), ("0 0 1 * *", "31d"),
    ("0 0 31 * *", "61d"), ("0 0 29 2 *", "1461d"), ("0 0 1,15 * 1", "7d"), ("@weekly", "7d"),
    # the L, W and # extensions are evaluated exactly, months and all
    ("0 0 L * *", "31d"), ("0 0 L 1,7 *", "184d"), ("0 0 L,15 * *", "16d"), ("0 0 LW * *", "33d"),
    ("0 0 15W * *", "32d"), ("0 0 31W * *", "63d"), ("0 0 * * 5L", "35d"), ("0 0 * * FRI#3", "35d"),
    ("0 0 * 3 1#1", "371d"),
])
def test_longest_gap(schedule, period):
    from meshgen.model.cron import human_duration

    assert human_duration(longest_gap_seconds(schedule)) == period


@pytest.mark.parametrize("schedule", ["61 * * * *", "*/0 * * * *", "5-1 * * * *", "* * *", "@often", "0 0 30 2 *",
                                      "0 0 32W * *", "0 0 * * 5#6", "0 0 * * 8L", "0 0 LX * *", "0 0 * * 5#"])
def test_bad_schedules(schedule):
    with pytest.raises(CronError):
        longest_gap_seconds(schedule)


def test_rules_command_lists_every_rule(cli):
    result = cli("rules", SPECS)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    from meshgen.governance.registry import builtin_rules

    assert len(lines) == len(builtin_rules()) >= 13
    pii = next(line for line in lines if line.startswith("PII001"))
    assert pii.split()[:3] == ["PII001", "error", "pii.protection-required"] and "confidential" in pii
    assert next(line for line in lines if line.startswith("DOC002")).split()[1] == "off"


def test_rules_command_reports_a_bad_policy(cli, tmp_path):
    (tmp_path / "meshgen.yaml").write_text("governance:\n  rules:\n    PII001: loud\n")
    result = cli("rules", tmp_path)
    assert result.exit_code == 1
    assert "meshgen.yaml:3:13" in result.output and "GOV001" in result.output


def test_bad_pinned_date_is_a_usage_error(cli, monkeypatch):
    monkeypatch.setenv("MESHGEN_TODAY", "tomorrow")
    result = cli("validate", SPECS)
    assert result.exit_code == 2 and "ENV001" in result.output


def test_help_does_not_import_governance():
    code = "import sys; from meshgen.cli import cli; print(any(m.startswith('meshgen.governance') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
