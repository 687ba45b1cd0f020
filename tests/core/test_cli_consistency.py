"""One command line (issue 9.13): the same --format values, --quiet and --no-color everywhere, a
typo in an argument reported at the command line, REV:path as git means it, files written
beside a product announced."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.conftest import ROOT, SPECS, need_executable
from tests.contracts.story import git

FINDING_COMMANDS = ["validate", "build", "diff", "check", "rules", "changelog"]
ORDERS_V1 = "checkout/orders/v1/dataproduct.yaml"
ORDERS_V2 = "checkout/orders/v2/dataproduct.yaml"


def test_a_target_typo_is_a_usage_error_at_the_command_line(cli, tmp_path):
    result = cli("build", SPECS, "-o", tmp_path / "out", "-t", "avor")
    assert result.exit_code == 2
    assert "Invalid value for '-t' / '--target'" in result.output
    assert "did you mean 'avro'?" in result.output
    assert "meshgen.yaml" not in result.output and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", FINDING_COMMANDS)
def test_every_command_that_prints_findings_takes_the_same_formats(cli, command):
    text = cli(command, "--help").output
    for fmt in ("human", "json", "sarif", "github"):
        assert fmt in text.split("Options:")[1].split("--format")[1].split("\n  -")[0], (command, fmt)


def test_rules_print_as_sarif_and_changelog_as_human(cli, monkeypatch):
    log = json.loads(cli("rules", SPECS, "--format", "sarif").stdout)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"] == []
    assert {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]} >= {"PII001", "NAM001"}
    monkeypatch.chdir(SPECS)
    human = cli("changelog", ORDERS_V1, ORDERS_V2, "--format", "human")
    assert human.exit_code == 0 and human.stdout == cli("changelog", ORDERS_V1, ORDERS_V2).stdout
    sarif = json.loads(cli("changelog", ORDERS_V1, ORDERS_V2, "--format", "sarif").stdout)
    assert sarif["runs"][0]["results"]


@pytest.mark.parametrize("args", [
    ["validate", str(SPECS)], ["rules", str(SPECS)], ["schema"], ["--quiet", "--no-color", "validate", str(SPECS)],
])
def test_quiet_and_no_color_are_accepted_everywhere(cli, args):
    for flag in (["--quiet"], ["--no-color"], ["-q", "--no-color"]):
        result = cli(*args, *flag)
        assert result.exit_code == 0, (args, flag, result.output)


def test_quiet_leaves_out_summary_and_progress_lines(cli, tmp_path):
    loud = cli("build", SPECS, "-o", tmp_path / "a")
    assert "built " in loud.stderr
    quiet = cli("build", SPECS, "-o", tmp_path / "b", "--quiet")
    assert quiet.exit_code == 0 and "built " not in quiet.stderr
    assert "info[" not in quiet.stdout and "error" not in quiet.stderr


def test_rev_path_is_relative_to_the_repository_top_as_the_hint_says(cli, tmp_path, monkeypatch):
    need_executable("git")
    repo = tmp_path / "repo"
    shutil.copytree(SPECS, repo / "specs", ignore=shutil.ignore_patterns("build"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "mesh")
    monkeypatch.chdir(repo / "specs")
    # the form related positions print (top-relative), and the ./ form (current folder), as with git show
    for old in (f"HEAD:specs/{ORDERS_V2}", f"HEAD:./{ORDERS_V2}"):
        result = cli("diff", old, ORDERS_V2, "--format", "json")
        assert result.exit_code == 0, (old, result.output)
    missing = cli("diff", f"HEAD:{ORDERS_V2}", ORDERS_V2, "--format", "json")
    assert missing.exit_code == 2
    assert "relative to the repository's top folder" in json.loads(missing.stdout)[0]["hint"]


def test_the_lock_file_a_build_writes_beside_a_product_is_announced(cli, tmp_path):
    product = tmp_path / "mesh/sales/leads/v1/dataproduct.yaml"
    product.parent.mkdir(parents=True)
    product.write_text((ROOT / "tests/fixtures/all_types/dataproduct.yaml").read_text())
    result = cli("build", tmp_path / "mesh", "-o", tmp_path / "out", "-t", "protobuf")
    assert result.exit_code == 0, result.output
    lock = product.with_name("dataproduct.lock.json")
    assert lock.is_file()
    assert "dataproduct.lock.json beside its product" in result.stderr
    again = cli("build", tmp_path / "mesh", "-o", tmp_path / "out", "-t", "protobuf")
    assert "dataproduct.lock.json" not in again.stderr  # unchanged: not rewritten, not announced


def test_every_build_option_is_in_the_readme(cli):
    """The README's command table and its Incremental builds section name every option of `build`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    options = set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z-]+)", cli("build", "--help").output, re.M))
    assert {"--check", "--jobs", "--no-incremental", "--output", "--target"} <= options
    assert [o for o in sorted(options - {"--help", "--verbose", "--quiet", "--no-color"}) if o not in readme] == []
    assert "### Incremental builds" in readme


def _build_on_a_terminal(mesh, out, *args, env=None):
    """`meshgen build` with stderr on a pseudo-terminal; what it wrote there."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.Popen([sys.executable, "-m", "meshgen", "build", str(mesh), "-o", str(out), *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower,
                            env={**environment, **(env or {})})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the build ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8", "replace")


LONG_BUILD_PRODUCTS = 150  # ~4.5 s on this project's idle 2-core machine: the bar is due after 1 s


def test_a_long_build_on_a_terminal_shows_a_progress_bar_and_not_when_piped(mesh_copy, tmp_path):
    import subprocess
    import sys

    from tests.benchmarks.test_harness import load_generator

    # a build over a second on any machine: every unit of a mesh of LONG_BUILD_PRODUCTS runs in one process
    # (the example mesh's 7 build in under a second on a fast idle machine, and no bar is due then)
    load_generator().make_mesh(tmp_path / "long", LONG_BUILD_PRODUCTS)
    shown = _build_on_a_terminal(tmp_path / "long", tmp_path / "tty", "--no-incremental", "-j", "1")
    assert re.search(r"\r\[#*\.*\] \d+/\d+ units", shown), shown[-500:]
    assert "\r\x1b[K" in shown and f"built {LONG_BUILD_PRODUCTS} products" in shown  # erased before the summary line
    ci = _build_on_a_terminal(mesh_copy, tmp_path / "ci", "--no-incremental", "-j", "1", env={"CI": "true"})
    assert " units" not in ci and "built 7 products" in ci
    piped = subprocess.run([sys.executable, "-m", "meshgen", "build", str(mesh_copy), "-o", str(tmp_path / "pipe"),
                            "--no-incremental", "-j", "1"], capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and " units" not in piped.stderr and "\r" not in piped.stderr
    assert piped.stderr.strip().splitlines()[-1].startswith("built 7 products")
