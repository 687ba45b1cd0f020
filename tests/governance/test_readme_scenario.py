"""The README's governance walk-through, run on a copy of the example mesh: a mesh policy, a
domain tightening and a waiver, end to end. The YAML blocks are read from README.md itself."""

from __future__ import annotations

import json
import re

from tests.conftest import ROOT
from tests.reporting import checks_only

BLOCK = re.compile(r"```yaml\n# (file|append to): (\S+)\n(.*?)```", re.S)


def _blocks() -> list[tuple[str, str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## Governance\n"):]
    return BLOCK.findall(section)


def _findings(cli, mesh, *args):
    result = cli("validate", mesh, "--format", "json", *args)
    return result.exit_code, checks_only(json.loads(result.stdout))


def test_readme_walkthrough(mesh_copy, cli, tmp_path):
    blocks = _blocks()
    assert [(kind, path) for kind, path, _ in blocks] == [
        ("file", "meshgen.yaml"), ("file", "inventory/governance.yaml"),
        ("append to", "inventory/stock_levels/v1/dataproduct.yaml")]
    (policy, domain, waiver) = [text for _, _, text in blocks]
    stock = mesh_copy / "inventory/stock_levels/v1/dataproduct.yaml"

    # 1. the mesh policy: one product misses its product owner
    (mesh_copy / "meshgen.yaml").write_text(policy)
    code, found = _findings(cli, mesh_copy)
    assert code == 1
    assert [(d["code"], d["file"].split("/")[-4]) for d in found] == [("OWN001", "inventory")]
    assert "path owner.productOwner" in found[0]["hint"]

    # 2. the domain policy tightens inventory only
    (mesh_copy / "inventory/governance.yaml").write_text(domain)
    assert _findings(cli, mesh_copy)[1] == found  # the inventory fields are all documented
    rules = {r["code"]: r["severity"] for r in json.loads(cli("rules", mesh_copy, "--domain", "inventory",
                                                               "--format", "json").stdout)}
    assert (rules["DOC002"], rules["DEP001"], rules["NAM001"]) == ("error", "error", "error")
    mesh_rules = {r["code"]: r["severity"] for r in json.loads(cli("rules", mesh_copy, "--format", "json").stdout)}
    assert (mesh_rules["DOC002"], mesh_rules["DEP001"]) == ("off", "warning")
    # an undocumented field is an error in inventory, and nothing in logistics
    originals = {}
    for product in (stock, mesh_copy / "logistics/shipments/v1/dataproduct.yaml"):
        originals[product] = product.read_text()
        undocumented = re.sub(r", description: [^}]*\}", "}", originals[product], count=1)
        assert undocumented != originals[product]
        product.write_text(undocumented)
    _, found = _findings(cli, mesh_copy)
    assert sorted((d["code"], d["severity"], d["file"].split("/")[-4]) for d in found) == [
        ("DOC002", "error", "inventory"), ("OWN001", "error", "inventory")]
    for product, text in originals.items():
        product.write_text(text)
    # a loosening attempt is itself an error, and the mesh rule stays in force
    (mesh_copy / "inventory/governance.yaml").write_text(domain + "  ownership.contact-required: warning\n")
    _, found = _findings(cli, mesh_copy)
    assert ("GOV002", "error") in {(d["code"], d["severity"]) for d in found}
    assert ("OWN001", "error") in {(d["code"], d["severity"]) for d in found}
    (mesh_copy / "inventory/governance.yaml").write_text(domain)

    # 3. the waiver silences exactly that finding; the build passes and still reports it as suppressed
    stock.write_text(stock.read_text().rstrip("\n") + "\n" + waiver)
    code, found = _findings(cli, mesh_copy, "--fail-on", "warning")
    assert code == 0
    assert [(d["code"], d["suppressed"]["justification"]) for d in found] == [
        ("OWN001", "The warehouse team appoints its product owner in the Q1 reorganisation.")]
    result = cli("build", mesh_copy, "-o", tmp_path / "out", "-t", "avro")
    assert result.exit_code == 0, result.output
    assert "OWN001" not in result.output  # the human report hides waived findings
