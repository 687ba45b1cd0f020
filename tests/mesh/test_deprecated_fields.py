"""Issue 9.12: deprecating a field that another product reads warns that consumer at its input
port, with `replacedBy` and the date, in validate, build and check."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SPECS, need_executable

ORDERS = Path("checkout/orders/v2/dataproduct.yaml")
SHIPMENTS = Path("logistics/shipments/v1/dataproduct.yaml")
DEPRECATION = ("      - name: status\n        type: enum\n",
               "      - name: status\n        type: enum\n        deprecated: true\n        replacedBy: order_id\n"
               "        deprecationDate: 2027-03-31\n")


@pytest.fixture
def mesh(tmp_path, monkeypatch):
    """The example mesh in git; then orders v2 deprecates `status`, which logistics and nobody else reads."""
    need_executable("git")
    root = tmp_path / "mesh"
    shutil.copytree(SPECS, root, ignore=shutil.ignore_patterns("build"))
    for args in (["init", "-q", "-b", "main"], ["add", "."],
                 ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "mesh"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    text = (root / ORDERS).read_text()
    assert DEPRECATION[0] in text
    (root / ORDERS).write_text(text.replace(DEPRECATION[0], DEPRECATION[1], 1).replace("version: 2.0.0", "version: 2.1.0"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("MESHGEN_TODAY", "2026-11-26")
    return root


def _version011(result):
    return [d for d in json.loads(result.stdout) if d["code"] == "VERSION011"]


@pytest.mark.parametrize("command", [("validate",), ("build", "-t", "avro"), ("check", "--against", "main")])
def test_the_consumer_is_warned_at_its_input_port(cli, mesh, tmp_path, command):
    if command[0] == "build":
        command += ("-o", str(tmp_path / "out"))
    result = cli(*command, "--format", "json")
    [d] = _version011(result)
    assert d["severity"] == "warning"
    assert d["message"] == ("input port 'orders' of data://logistics/shipments/v1 reads field 'status' of "
                            "data://checkout/orders/v2 dataset 'orders', which is deprecated; use 'order_id' "
                            "instead; it may be removed after 2027-03-31")
    assert d["file"] == str(SHIPMENTS)
    line = next(i for i, t in enumerate((mesh / SHIPMENTS).read_text().splitlines(), 1) if "fields: [order_id, customer_id, status" in t)
    assert d["line"] == line and d["hint"].startswith("read 'order_id' in input port 'orders'")
    assert [r["file"] for r in d["related"]] == [str(ORDERS)]
    assert result.exit_code == 0, result.output


def test_past_the_date_it_is_an_error_unless_the_mesh_says_warning(cli, mesh, monkeypatch):
    monkeypatch.setenv("MESHGEN_TODAY", "2027-04-01")
    result = cli("validate", "--format", "json")
    [d] = _version011(result)
    assert d["severity"] == "error" and "its deprecation date 2027-03-31 has passed" in d["message"]
    assert result.exit_code == 1
    config = mesh / "meshgen.yaml"
    config.write_text(config.read_text() + "contracts: {pastDeprecation: warning}\n")
    [d] = _version011(cli("validate", "--format", "json"))
    assert d["severity"] == "warning"


def test_a_deprecated_member_of_a_struct_the_consumer_reads_is_reported(cli, mesh):
    """logistics lists `items`; deprecating `items.quantity` reaches it; marketing (no `items`) is not told."""
    text = (mesh / ORDERS).read_text()
    old = "{name: quantity, type: int,"
    assert old in text
    (mesh / ORDERS).write_text(text.replace(old, "{name: quantity, type: int, deprecated: true,", 1))
    found = _version011(cli("validate", "--format", "json"))
    assert sorted((d["file"], d["message"].split(" reads field ")[1].split(" ")[0]) for d in found) == [
        (str(SHIPMENTS), "'items.quantity'"), (str(SHIPMENTS), "'status'")]
    [d] = [d for d in found if "items.quantity" in d["message"]]
    assert "deprecated" in d["message"] and "use " not in d["message"]
    assert d["hint"] == "ask checkout-team what replaces 'items.quantity'"
