"""Startup (issue 14): `meshgen --version` is answered before click and the API are imported, and
`--help` imports the command line without the pipeline's libraries. What is imported is read from
real processes (`-X importtime` lists every module a process imports); how long it takes is
measured by benchmarks/bench_build.py, never here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import meshgen

PIPELINE = ("pydantic", "jinja2", "ruamel", "yaml", "datamodel_code_generator")
SCRIPT = Path(sys.executable).with_name("meshgen")  # `pip install -e .` puts it beside the venv's python


def _run(command: list[str], stdout=subprocess.PIPE) -> tuple[subprocess.CompletedProcess, set[str]]:
    """The finished process and the top-level names of the modules it imported."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, timeout=120,
                          stdin=subprocess.DEVNULL)
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done, {name.split(".")[0] for name in names} | {name for name in names if name.startswith("meshgen")}


@pytest.mark.parametrize("command", [[sys.executable, "-m", "meshgen"], [str(SCRIPT)]], ids=["python -m", "script"])
def test_version_imports_neither_click_nor_the_api_nor_the_pipeline(command):
    assert Path(command[0]).exists(), f"{command[0]}: install meshgen into this venv (pip install -e .)"
    done, imported = _run([*command, "--version"])
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"meshgen, version {meshgen.__version__}\n"
    assert "meshgen" in imported  # the listing is real: it names the package itself
    assert imported.isdisjoint({*PIPELINE, "click", "meshgen.api", "meshgen.cli", "meshgen.diagnostics"}), imported


def test_version_prints_what_the_click_command_line_prints(cli):
    """Any other argument goes through click (`--no-color --version`): the same line either way."""
    through_click = cli("--no-color", "--version")
    assert through_click.exit_code == 0
    done, imported = _run([sys.executable, "-m", "meshgen", "--version"])
    assert done.stdout == through_click.output
    slow, slow_imported = _run([sys.executable, "-m", "meshgen", "--no-color", "--version"])
    assert slow.stdout == done.stdout and "click" in slow_imported and "click" not in imported


def test_help_imports_the_command_line_but_not_the_pipeline():
    done, imported = _run([sys.executable, "-m", "meshgen", "--help"])
    assert done.returncode == 0 and "Commands:" in done.stdout and "build" in done.stdout, done.stderr
    assert {"click", "meshgen.cli"} <= imported
    assert imported.isdisjoint(PIPELINE), imported & set(PIPELINE)


def test_a_version_that_cannot_be_written_is_reported_by_the_command_line(tmp_path):
    """The fast path hands a closed, full or broken stdout to the CLI, which says so and exits 2."""
    with open("/dev/full", "w") as full:
        done, _ = _run([sys.executable, "-m", "meshgen", "--version"], stdout=full)
    assert done.returncode == 2 and "No space left on device" in done.stderr
    read, write = os.pipe()
    os.close(read)  # `meshgen --version | head -0`
    try:
        done, _ = _run([sys.executable, "-m", "meshgen", "--version"], stdout=write)
    finally:
        os.close(write)
    assert done.returncode == 2 and "broken pipe" in done.stderr
    closed = subprocess.run([sys.executable, "-m", "meshgen", "--version"], stderr=subprocess.PIPE, text=True,
                            timeout=120, stdin=subprocess.DEVNULL, close_fds=True, preexec_fn=lambda: os.close(1))
    assert closed.returncode == 2 and "standard output: it is closed" in closed.stderr
    assert "Traceback" not in done.stderr + closed.stderr


def test_the_package_reexports_the_api_on_first_use():
    """Even once every module is imported: importing `meshgen.X` sets the package's attribute X, so
    no top-level module may be named like an entry point (meshgen.scaffold, the module, used to
    replace meshgen.scaffold, the function, as soon as a build had run)."""
    import importlib
    import pkgutil

    from meshgen import api

    modules = [info.name for info in pkgutil.iter_modules(meshgen.__path__)]
    assert set(modules).isdisjoint(meshgen.__all__)
    for name in modules:
        if name != "__main__":
            importlib.import_module(f"meshgen.{name}")
    assert set(meshgen.__all__) <= set(dir(meshgen))
    for name in meshgen.__all__:
        assert getattr(meshgen, name) is getattr(api, name), name
    with pytest.raises(AttributeError, match="no attribute 'no_such_entry'"):
        meshgen.no_such_entry  # noqa: B018
