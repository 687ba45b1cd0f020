"""Issue 10: input ports that read in a circle (a → b → a), and a product that reads itself, are
reported at the input ports that close the circle."""

from __future__ import annotations

import json
from pathlib import Path

PRODUCT = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: {domain}
name: {name}
version: 1.0.0
description: {{purpose: Test product {name}.}}
owner: {{team: {domain}-team, email: {domain}@example.com}}
datasets:
  - name: things
    description: One row per thing.
    primaryKey: [id]
    fields:
      - {{name: id, type: string, required: true, description: Identifier.}}
inputPorts:
{ports}
"""


def write(root: Path, domain: str, name: str, reads: list[str]) -> Path:
    ports = "".join(f"  - name: {r.split('/')[3]}_in\n    product: {r}\n    dataset: things\n    fields: [id]\n"
                    for r in reads)
    path = root / domain / name / "v1" / "dataproduct.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(PRODUCT.format(domain=domain, name=name, ports=ports or "  []\n").replace("inputPorts:\n  []", "inputPorts: []"))
    return path


def mesh6(found):
    return sorted((Path(d["file"]).parts[-4], d["line"], d["message"]) for d in found if d["code"] == "MESH006")


def test_two_products_reading_each_other_are_reported_at_both_input_ports(cli, tmp_path, monkeypatch):
    (tmp_path / "meshgen.yaml").write_text("name: circles\n")
    write(tmp_path, "a", "alpha", ["data://b/beta/v1"])
    write(tmp_path, "b", "beta", ["data://a/alpha/v1"])
    write(tmp_path, "c", "gamma", ["data://a/alpha/v1"])  # reads the circle, is not on it
    monkeypatch.chdir(tmp_path)
    for command in (("validate",), ("build", "-t", "avro", "-o", str(tmp_path / "out"))):
        result = cli(*command, "--format", "json")
        assert result.exit_code == 1, result.output
        found = json.loads(result.stdout)
        assert mesh6(found) == [
            ("a", 16, "input port 'beta_in' reads data://b/beta/v1, and the products read each other in a circle: "
                      "data://a/alpha/v1 → data://b/beta/v1 → data://a/alpha/v1"),
            ("b", 16, "input port 'alpha_in' reads data://a/alpha/v1, and the products read each other in a circle: "
                      "data://b/beta/v1 → data://a/alpha/v1 → data://b/beta/v1"),
        ]
        [d] = [d for d in found if d["code"] == "MESH006" and d["file"].startswith("a/")]
        assert (d["severity"], d["column"]) == ("error", 14)
        assert [r["file"] for r in d["related"]] == ["b/beta/v1/dataproduct.yaml"]
    assert not (tmp_path / "out").exists()


def test_a_longer_circle_is_named_in_order(cli, tmp_path):
    write(tmp_path, "a", "alpha", ["data://b/beta/v1"])
    write(tmp_path, "b", "beta", ["data://c/gamma/v1"])
    write(tmp_path, "c", "gamma", ["data://a/alpha/v1"])
    result = cli("validate", tmp_path, "--format", "json")
    assert result.exit_code == 1
    messages = [m for _, _, m in mesh6(json.loads(result.stdout))]
    assert len(messages) == 3
    assert messages[2].endswith("data://c/gamma/v1 → data://a/alpha/v1 → data://b/beta/v1 → data://c/gamma/v1")


def test_a_product_reading_itself_is_reported(cli, tmp_path):
    write(tmp_path, "a", "alpha", ["data://a/alpha/v1"])
    result = cli("validate", tmp_path / "a/alpha/v1/dataproduct.yaml", "--format", "json")
    assert result.exit_code == 1, result.output
    assert [m for _, _, m in mesh6(json.loads(result.stdout))] == [
        "input port 'alpha_in' reads data://a/alpha/v1, this product itself"]


def test_reading_an_older_major_of_oneself_is_not_a_circle(cli, tmp_path):
    write(tmp_path, "a", "alpha", [])
    v2 = write(tmp_path, "a", "alpha2", ["data://a/alpha/v1"])  # becomes data://a/alpha/v2
    v2.write_text(v2.read_text().replace("name: alpha2", "name: alpha").replace("version: 1.0.0", "version: 2.0.0"))
    result = cli("validate", tmp_path, "--format", "json")
    assert mesh6(json.loads(result.stdout)) == [] and result.exit_code == 0, result.output
