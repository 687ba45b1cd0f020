"""Every kind of bad input gets one clear, positioned diagnostic and the documented exit code:
never a traceback, never a half-written output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "bad_inputs"
EXPECTED = json.loads((HERE / "expected.json").read_text())


def test_every_case_file_has_an_expectation():
    files = {p.name for p in HERE.glob("*.yaml")}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input(name, cli, tmp_path):
    exit_code, code, line, column = EXPECTED[name]
    result = cli("validate", HERE / name, "--format", "json")
    assert result.exit_code == exit_code, result.output
    diagnostics = json.loads(result.stdout)
    # the case's own problem is reported at its position (governance may add findings of its own)
    first = next((d for d in diagnostics if d["code"] == code), None)
    assert first is not None, diagnostics
    assert (first["line"], first["column"]) == (line, column), diagnostics
    assert first["file"].endswith(name)
    assert first["message"] and first["hint"]
    assert first["severity"] == "error"

    # build refuses too, and writes nothing
    out = tmp_path / "out"
    result = cli("build", HERE / name, "-o", out)
    assert result.exit_code == exit_code
    assert not out.exists()


def test_python_tag_runs_nothing(cli, tmp_path):
    marker = Path("/tmp/meshgen-pwned")
    marker.unlink(missing_ok=True)
    cli("build", HERE / "python_tag.yaml", "-o", tmp_path / "out")
    assert not marker.exists()


def test_human_output_shows_source_line_and_caret(cli):
    result = cli("validate", HERE / "unknown_key.yaml")
    assert result.exit_code == 1
    assert "unknown_key.yaml:12:9: error[SPEC002] unknown key 'requierd'" in result.stdout
    assert "        requierd: true" in result.stdout
    lines = result.stdout.splitlines()
    caret = next(i for i, ln in enumerate(lines) if ln.rstrip().endswith("^"))
    # the caret sits under the first letter of the key
    assert lines[caret].index("^") == lines[caret - 1].index("requierd")
    assert "did you mean 'required'?" in result.stdout


def test_directory_where_a_product_file_was_expected(cli, tmp_path):
    (tmp_path / "dataproduct.yaml").mkdir()
    result = cli("validate", tmp_path, "--format", "json")
    assert result.exit_code == 2
    first = json.loads(result.stdout)[0]
    assert first["code"] == "LOAD007"
    assert "directory" in first["message"]


def test_missing_path_is_a_usage_error(cli, tmp_path):
    result = cli("validate", tmp_path / "nope.yaml", "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)[0]["code"] == "LOAD007"


def test_file_too_large(cli, tmp_path):
    big = tmp_path / "dataproduct.yaml"
    big.write_text("a: " + "x" * (9 * 1024 * 1024) + "\n")
    result = cli("validate", big, "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)[0]["code"] == "LOAD009"


def test_deep_nesting(cli, tmp_path):
    deep = tmp_path / "dataproduct.yaml"
    deep.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    result = cli("validate", deep, "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)[0]["code"] in ("LOAD001", "LOAD008")


@pytest.mark.parametrize("name", ["python_tag.yaml", "not_utf8.yaml", "alias_bomb.yaml", "malformed_yaml.yaml"])
def test_no_traceback_in_a_real_process(name):
    proc = subprocess.run([sys.executable, "-m", "meshgen", "validate", str(HERE / name)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"{name}:" in proc.stdout


def test_all_problems_of_a_mesh_are_reported_together(cli, tmp_path):
    for name in ("bad_type.yaml", "unknown_key.yaml"):
        folder = tmp_path / name.removesuffix(".yaml")
        folder.mkdir()
        (folder / "dataproduct.yaml").write_bytes((HERE / name).read_bytes())
    result = cli("validate", tmp_path, "--format", "json")
    codes = sorted(d["code"] for d in json.loads(result.stdout))
    assert codes == ["SPEC002", "SPEC006"]


def test_a_bad_type_is_pointed_at_inside_its_expression(cli, tmp_path):
    product = tmp_path / "dataproduct.yaml"
    product.write_text((HERE / "bad_type.yaml").read_text().replace("type: strng}", 'type: "map<arry<string>>"}'))
    first = json.loads(cli("validate", product, "--format", "json").stdout)[0]
    line = product.read_text().splitlines()[first["line"] - 1]
    assert first["code"] == "SPEC006" and line[first["column"] - 1:].startswith("arry<")


def test_two_files_with_one_address_are_an_error_at_the_second(cli, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "dataproduct.yaml").write_bytes((HERE.parent.parent / "fixtures/all_types/dataproduct.yaml").read_bytes())
    found = [d for d in json.loads(cli("validate", tmp_path, "--format", "json").stdout) if d["code"] == "MESH001"]
    assert len(found) == 1
    assert found[0]["file"].endswith("b/dataproduct.yaml") and (found[0]["line"], found[0]["column"]) == (5, 7)
    assert found[0]["related"][0]["file"].endswith("a/dataproduct.yaml")
