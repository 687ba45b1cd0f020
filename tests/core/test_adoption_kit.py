"""What a platform team adopts meshgen with: the pre-commit hook (run by pre-commit itself), the
GitHub Actions recipe in docs/ci.md (checked against GitHub's workflow schema, its meshgen
commands run on a real git repository), the wheel install, and the README's first screen."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from meshgen.load.yaml_source import load_yaml
from tests.conftest import ROOT, SPECS, need_module, npm_bin, tool_bin

HOOKS = ROOT / ".pre-commit-hooks.yaml"
MESHGEN = Path(sys.executable).parent / "meshgen"


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, timeout=60)


def _mesh_repo(tmp_path: Path) -> Path:
    """A mesh repository: a copy of the example mesh, committed on branch main."""
    repo = tmp_path / "repo"
    shutil.copytree(SPECS, repo, ignore=shutil.ignore_patterns("build"))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "mesh")
    return repo


def _break_a_product(repo: Path) -> Path:
    product = repo / "checkout/orders/v1/dataproduct.yaml"
    product.write_text(product.read_text().replace("owner:\n", "owner:\n  requierd: true\n", 1))
    return product


def _hook() -> dict:
    (hook,) = load_yaml(HOOKS).data
    return hook


def test_the_hook_manifest_parses_and_its_entry_validates_a_file(tmp_path):
    hook = _hook()
    # the keys pre-commit's manifest requires, and a files pattern that finds what the hook checks
    assert {"id", "name", "entry", "language"} <= set(hook) and hook["id"] == "meshgen-validate"
    files = re.compile(hook["files"])
    assert files.search("checkout/orders/v1/dataproduct.yaml") and files.search("meshgen.yaml")
    assert not files.search("README.md")
    command = shlex.split(hook["entry"])
    assert command[:2] == ["meshgen", "validate"]
    repo = _mesh_repo(tmp_path)
    run = [str(MESHGEN), *command[1:]]
    good = subprocess.run(run + ["checkout/orders/v1/dataproduct.yaml"], cwd=repo, capture_output=True, text=True,
                          timeout=300)
    assert good.returncode == 0, good.stdout + good.stderr
    product = _break_a_product(repo)
    bad = subprocess.run(run + [str(product.relative_to(repo))], cwd=repo, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "checkout/orders/v1/dataproduct.yaml:" in bad.stdout + bad.stderr


@pytest.mark.integration
def test_pre_commit_runs_the_hook_on_a_mesh_repository(tmp_path):
    pre_commit = tool_bin("pre-commit")
    repo = _mesh_repo(tmp_path)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    _break_a_product(repo)
    _git(repo, "commit", "-qam", "break it")
    # one run (pre-commit installs meshgen from this checkout into its own venv, a few minutes):
    # the hook fails on the broken product with meshgen's diagnostic; a clean mesh passing the
    # same entry: test_the_hook_manifest_parses_and_its_entry_validates_a_file
    failed = subprocess.run([str(pre_commit), "try-repo", str(ROOT), "meshgen-validate", "--all-files"],
                            cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert failed.returncode == 1 and "meshgen validate" in failed.stdout, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout and "SPEC002" in failed.stdout and "requierd" in failed.stdout


def _workflow() -> str:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    (workflow,) = [b for b in blocks if b.startswith("name: ")]
    return workflow


def test_the_ci_recipe_is_a_valid_github_workflow(tmp_path):
    validator = npm_bin("action-validator")
    path = tmp_path / "meshgen.yml"
    path.write_text(_workflow(), encoding="utf-8")
    result = subprocess.run([str(validator), str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    path.write_text(_workflow().replace("runs-on:", "runs-onn:"), encoding="utf-8")
    assert subprocess.run([str(validator), str(path)], capture_output=True, timeout=120).returncode != 0


def _meshgen_steps() -> list[str]:
    steps = load_yaml_text(_workflow())["jobs"]["mesh"]["steps"]
    return [s["run"] for s in steps if "meshgen check" in s.get("run", "")]


def load_yaml_text(text: str):
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(text)


def test_the_ci_recipe_commands_run_and_write_sarif_and_annotations(tmp_path):
    jsonschema = need_module("jsonschema")
    sarif_schema = json.loads((ROOT / "tests/governance/sarif-schema-2.1.0.json").read_text())
    repo = _mesh_repo(tmp_path)
    # a pull request that breaks a product, as the workflow's checkout sees it (origin/main)
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    _break_a_product(repo)
    check_step, annotate_step = _meshgen_steps()
    assert "meshgen check --against origin/main --format sarif > meshgen.sarif" in check_step
    assert "--format github" in annotate_step
    env = {**os.environ, "GITHUB_OUTPUT": str(tmp_path / "github-output"), "PATH": f"{MESHGEN.parent}:{os.environ['PATH']}"}
    subprocess.run(["bash", "-e", "-c", check_step], cwd=repo, env=env, check=True, timeout=300)
    assert (tmp_path / "github-output").read_text().strip() in ("status=1", "status=2")
    sarif = json.loads((repo / "meshgen.sarif").read_text())
    jsonschema.Draft7Validator(sarif_schema).validate(sarif)
    assert any(r["ruleId"] == "SPEC002" for r in sarif["runs"][0]["results"])
    annotations = subprocess.run(["bash", "-e", "-c", annotate_step], cwd=repo, env=env, capture_output=True,
                                 text=True, timeout=300)
    assert annotations.returncode == 0, annotations.stderr
    assert re.search(r"^::error file=checkout/orders/v1/dataproduct.yaml,line=\d+", annotations.stdout, re.M)


def test_the_docs_say_how_to_install_a_built_wheel():
    ci = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "python -m pip wheel --no-deps -w dist ." in ci and "pipx install dist/meshgen-*.whl" in ci
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/ci.md" in readme and "docs/diagnostics.md" in readme


def test_the_readme_says_what_meshgen_is_before_the_contributor_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    first_command = next(i for i, line in enumerate(lines) if "make run" in line)
    before = " ".join(lines[:first_command])
    assert "compiler for data products" in before and "dataproduct.yaml" in before
