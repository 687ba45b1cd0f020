"""The README's onboarding from an existing ODCS contract, replayed command by command."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys

from tests.support import ROOT


def _commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- import:onboarding -->\n```sh\n(.*?)```", text, re.S)
    assert block, "the README's onboarding block is gone"
    return [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_onboards_a_contract_in_three_commands(tmp_path):
    commands = _commands()
    assert [c[:2] for c in commands] == [["meshgen", "import"], ["meshgen", "validate"], ["meshgen", "build"]]
    shutil.copytree(ROOT / "examples" / "import", tmp_path / "examples" / "import")
    for command in commands:
        run = subprocess.run([sys.executable, "-m", "meshgen", *command[1:]], capture_output=True, text=True,
                             cwd=tmp_path)
        assert run.returncode == 0, f"{shlex.join(command)}\n{run.stdout}{run.stderr}"
        assert "warning[" not in run.stdout + run.stderr, run.stdout + run.stderr  # nothing lost, nothing to fix
    spec = tmp_path / "mesh" / "checkout" / "orders" / "v1" / "dataproduct.yaml"
    assert "apiVersion: meshgen/v1" in spec.read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "mesh" / "build" / "meshgen-manifest.json").read_text(encoding="utf-8"))
    assert any(unit.startswith("sql@data://checkout/orders/v1") for unit in manifest["units"])
