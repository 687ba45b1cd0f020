"""Third-party rules: a real package, installed with pip into a private folder, registers a rule
through the `meshgen.rules` entry points; meshgen finds it, runs it, lists it and lets it be waived."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from meshgen.api import check

PLUGIN_MODULE = '''
from meshgen.diagnostics import Severity
from meshgen.governance.rule import Finding, Rule, RuleOptions


class TagsRequired(Rule):
    """Every product carries at least `minimum` tags.

    **Anti-pattern**

    ```yaml
    tags: []
    ```

    **Best practice**

    ```yaml
    tags: [orders, tier-2]
    ```
    """

    code = "ACME001"
    name = "acme.tags-required"
    groups = ("acme",)
    severity = Severity.ERROR

    class Options(RuleOptions):
        minimum: int = 1

    def check(self, ctx):
        if len(ctx.product.tags) < ctx.options.minimum:
            yield Finding(f"{ctx.product.address} has {len(ctx.product.tags)} tags", ctx.at("name"), "add tags")
'''

PRODUCT = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: sales
name: orders
version: 1.0.0
description: {purpose: Orders placed in the shop.}
owner: {team: sales-team, email: sales@example.com}
datasets:
  - name: orders
    description: One row per order.
    primaryKey: [order_id]
    fields:
      - {name: order_id, type: uuid, required: true}
"""


def _install(tmp_path: Path, name: str, module: str, entry_points: dict[str, str]) -> Path:
    src = tmp_path / f"{name}-src"
    (src / name).mkdir(parents=True)
    (src / name / "__init__.py").write_text(module)
    eps = "\n".join(f'{k} = "{v}"' for k, v in entry_points.items())
    (src / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{name.replace('_', '-')}"
        version = "0.1.0"

        [tool.setuptools]
        packages = ["{name}"]

        [project.entry-points."meshgen.rules"]
        """) + eps + "\n")
    target = tmp_path / f"{name}-site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(src)],
                   check=True, capture_output=True, text=True)
    return target


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Install a plugin package into a private folder and put it on sys.path for this test only."""
    def install(name: str, module: str, entry_points: dict[str, str]) -> Path:
        site = _install(tmp_path, name, module, entry_points)
        monkeypatch.syspath_prepend(str(site))
        importlib.invalidate_caches()
        return site

    yield install
    for mod in [m for m in sys.modules if m.startswith("acme_")]:
        del sys.modules[mod]
    importlib.invalidate_caches()


def _mesh(tmp_path: Path, config: str = "name: plugin-test\n", product: str = PRODUCT) -> Path:
    root = tmp_path / "mesh"
    (root / "sales/orders/v1").mkdir(parents=True)
    (root / "meshgen.yaml").write_text(config)
    (root / "sales/orders/v1/dataproduct.yaml").write_text(product)
    return root


def test_plugin_rule_runs_is_listed_configured_and_waived(tmp_path, installed, cli):
    root = _mesh(tmp_path)
    before = check(root).diagnostics.sorted()
    assert not [d for d in before if d.code == "ACME001"]

    installed("acme_rules", PLUGIN_MODULE, {"ACME001": "acme_rules:TagsRequired"})

    found = [d for d in check(root).diagnostics.sorted() if d.code == "ACME001"]
    assert [(d.name, d.severity.label, d.location.line, d.location.column) for d in found] == \
        [("acme.tags-required", "error", 4, 7)]

    listed = json.loads(cli("rules", root, "--format", "json").stdout)
    assert {"code": "ACME001", "severity": "error"}.items() <= next(r for r in listed if r["code"] == "ACME001").items()

    # its options are validated and applied like a built-in rule's
    (root / "meshgen.yaml").write_text("governance:\n  rules:\n    acme.tags-required: {severity: warning, options: {minimum: 0}}\n")
    assert not [d for d in check(root).diagnostics.sorted() if d.code == "ACME001"]
    (root / "meshgen.yaml").write_text("governance:\n  rules:\n    ACME001: {options: {minimum: many}}\n")
    bad = [d for d in check(root).diagnostics.sorted() if d.code == "GOV001"]
    assert [(d.location.line, d.location.column) for d in bad] == [(3, 34)]

    # and a waiver silences it like any other rule
    (root / "meshgen.yaml").write_text("name: plugin-test\n")
    waived = PRODUCT + ("governance:\n  waivers:\n    - {rule: ACME001, path: name, reason: Tags come with the catalog "
                        "migration., expires: 2027-01-15}\n")
    (root / "sales/orders/v1/dataproduct.yaml").write_text(waived)
    found = [d for d in check(root).diagnostics.sorted() if d.code == "ACME001"]
    assert len(found) == 1 and found[0].suppressed_by == "Tags come with the catalog migration."


def test_a_broken_plugin_is_a_diagnostic_not_a_traceback(tmp_path, installed, cli):
    root = _mesh(tmp_path)
    installed("acme_broken", "class NotARule: pass\n",
              {"ACME002": "acme_broken:NotARule", "ACME003": "acme_broken:Missing"})
    result = cli("validate", root, "--format", "json")
    assert result.exit_code == 1
    problems = [d for d in json.loads(result.stdout) if d["code"] == "GOV004"]
    assert len(problems) == 2
    assert any("not a meshgen Rule class" in d["message"] for d in problems)
    assert any("could not be loaded" in d["message"] for d in problems)
