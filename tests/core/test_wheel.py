"""The wheel carries the templates: install it in a fresh venv and build the example mesh."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT, SPECS, need


@pytest.mark.integration
def test_wheel_installs_and_builds(tmp_path):
    dist = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    need(proc.returncode == 0, f"pip wheel (build backend from the package index): {proc.stderr[-500:]}")
    (wheel,) = dist.glob("meshgen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "meshgen/templates/avro/schema.avsc.j2" in names
    assert "meshgen/templates/init/dataproduct.yaml.j2" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", str(wheel)],
                         capture_output=True, text=True, timeout=900)
    need(pip.returncode == 0, f"pip install of the wheel's dependencies: {pip.stderr[-500:]}")
    out = tmp_path / "out"
    # run from an unrelated folder so nothing of the source checkout is on the path
    proc = subprocess.run([str(venv / "bin/meshgen"), "build", str(SPECS), "-o", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    avsc = out / "checkout/orders/v2/avro/orders.avsc"
    assert json.loads(avsc.read_text())["type"] == "record"
    located = subprocess.run([str(venv / "bin/python"), "-c",
                              "from meshgen.render import builtin_template_dir as d; print(d())"],
                             capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert str(venv) in located.stdout
