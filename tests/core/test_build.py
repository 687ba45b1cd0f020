"""Building a mesh: layout, determinism, atomic writes, partial builds, output safety."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from meshgen import output
from meshgen.api import build
from meshgen.errors import OutputError, ViolationsFound
from meshgen.output import safe_relpath, write_tree
from tests.conftest import ROOT, SPECS


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_example_mesh_builds_clean(cli, tmp_path):
    result = cli("build", SPECS, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 0, result.output
    diagnostics = json.loads(result.stdout)
    assert [d for d in diagnostics if d["severity"] == "error"] == []
    files = tree_digest(tmp_path / "out")
    # one folder per product version: <domain>/<product>/v<major>/<target>/
    assert "checkout/orders/v1/avro/orders.avsc" in files
    assert "checkout/orders/v2/avro/orders.avsc" in files
    assert "meshgen-manifest.json" in files


def test_reference_spec_builds(cli, tmp_path, reference_copy):
    result = cli("build", reference_copy, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/checkout/orders/v1/avro/orders.avsc").is_file()


def test_two_builds_are_byte_identical_across_hash_seeds(tmp_path):
    digests = []
    for seed in ("0", "12345"):
        out = tmp_path / f"out-{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-m", "meshgen", "build", str(SPECS), "-o", str(out)],
                              env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        digests.append(tree_digest(out))
    assert digests[0] == digests[1]
    assert len(digests[0]) > 5


def test_a_failed_build_leaves_the_previous_output_untouched(mesh_copy, tmp_path):
    out = tmp_path / "out"
    build(mesh_copy, output=out)
    before = tree_digest(out)
    product = mesh_copy / "users/customers/v1/dataproduct.yaml"
    product.write_text(product.read_text().replace("type: string", "type: strng", 1))
    with pytest.raises(ViolationsFound):
        build(mesh_copy, output=out)
    assert tree_digest(out) == before


def test_a_crash_while_writing_leaves_the_previous_output_untouched(mesh_copy, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(mesh_copy, output=out)
    before = tree_digest(out)
    calls = {"n": 0}
    real = output._write_new_file  # each file a build stages

    def flaky(path, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(path, data)

    spec = mesh_copy / "users/customers/v1/dataproduct.yaml"  # its files change: the build must write them
    spec.write_text(spec.read_text().replace("One row per registered customer", "Edited. One row", 1))
    monkeypatch.setattr(output, "_write_new_file", flaky)
    with pytest.raises(OutputError) as caught:  # a diagnostic, not an internal error
        build(mesh_copy, output=out, incremental=False)
    monkeypatch.undo()
    assert caught.value.diagnostics[0].code == "OUT004"
    assert "No space left on device" in caught.value.diagnostics[0].message
    assert tree_digest(out) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.") and p.name != ".out.lock"]
    assert leftovers == []


def test_building_one_product_keeps_the_others_output(mesh_copy, tmp_path):
    out = tmp_path / "out"
    build(mesh_copy, output=out)
    before = tree_digest(out)
    product = mesh_copy / "users/customers/v1/dataproduct.yaml"
    text = product.read_text()
    assert "    description: One row per registered customer" in text
    product.write_text(text.replace("    description: One row per registered customer",
                                    "    description: Edited. One row per registered customer", 1))
    result = build(product, output=out)
    assert [pf.product.address for pf in result.mesh.selected_products()] == ["data://users/customers/v1"]
    after = tree_digest(out)
    assert set(after) == set(before)
    changed = {path for path in after if after[path] != before[path]}
    assert "users/customers/v1/avro/customers.avsc" in changed
    # only the rebuilt product's files (and the mesh-wide ones and the manifest) changed
    assert all(p.startswith(("users/customers/v1/", "_mesh/")) or p == "meshgen-manifest.json" for p in changed)


def test_a_folder_meshgen_did_not_write_is_never_overwritten(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(OutputError):
        build(SPECS, output=out)
    assert (out / "precious.txt").read_text() == "keep me"


def test_files_added_to_a_meshgen_output_are_not_lost(tmp_path):
    out = tmp_path / "out"
    build(SPECS, output=out)
    (out / "notes.md").write_text("mine")
    with pytest.raises(OutputError) as err:
        build(SPECS, output=out)
    assert "notes.md" in err.value.diagnostics[0].message
    assert (out / "notes.md").read_text() == "mine"


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", "a\\b", "", "a//b", "./a", "c:/x", "a\x00b", "a\nb"])
def test_paths_cannot_escape_the_output_folder(bad, tmp_path):
    with pytest.raises(OutputError):
        safe_relpath(bad)
    with pytest.raises(OutputError):
        write_tree(tmp_path / "out", {bad: "x"})
    assert not (tmp_path / "out").exists()


def test_unknown_target_is_a_usage_error(cli, tmp_path):
    result = cli("build", SPECS, "-o", tmp_path / "out", "-t", "avroo")
    assert result.exit_code == 2
    assert "unknown target 'avroo'" in result.output


def test_validate_writes_nothing(cli, mesh_copy):
    result = cli("validate", mesh_copy)
    assert result.exit_code == 0, result.output
    assert not (mesh_copy / "build").exists()


def test_version_and_help(cli):
    from meshgen import __version__

    assert __version__ in cli("--version").output
    assert "build" in cli("--help").output


def test_help_does_not_import_targets_or_models():
    code = ("import sys\nfrom meshgen.cli import main\nsys.argv=['meshgen','--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy=[m for m in sys.modules if m.startswith(('meshgen.targets','meshgen.governance','meshgen.contracts',"
            "'meshgen.model','pydantic','jinja2','ruamel'))]\nprint('HEAVY', heavy)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_python_dash_m_works():
    proc = subprocess.run([sys.executable, "-m", "meshgen", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "meshgen" in proc.stdout


def test_internal_errors_are_reported_as_bugs_without_traceback(monkeypatch, capsys):
    import meshgen.api as build_module
    from meshgen.cli import main

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(build_module, "check", boom)
    monkeypatch.setattr(sys, "argv", ["meshgen", "validate", str(SPECS)])
    monkeypatch.delenv("MESHGEN_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 3
    err = capsys.readouterr().err
    assert "internal error" in err and "kaboom" in err and "Traceback" not in err


def _override(mesh: Path, template: str, text: str) -> None:
    """`templates/<template>` in `mesh`, holding `text`, and meshgen.yaml naming the folder."""
    override = mesh / "templates" / template
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(text)
    config = mesh / "meshgen.yaml"
    config.write_text(config.read_text() + "templates: templates\n")


def test_template_override_replaces_one_template(mesh_copy, tmp_path):
    _override(mesh_copy, "avro/schema.avsc.j2", "{{ schema | tojson(indent=None) }}\n")
    build(mesh_copy, output=tmp_path / "out")
    text = (tmp_path / "out/users/customers/v1/avro/customers.avsc").read_text()
    assert text.count("\n") == 1 and json.loads(text)["type"] == "record"


def test_templates_cannot_reach_python_internals(mesh_copy, tmp_path):
    _override(mesh_copy, "avro/schema.avsc.j2", "{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    from meshgen.errors import TemplateFailure

    with pytest.raises(TemplateFailure) as err:
        build(mesh_copy, output=tmp_path / "out")
    assert err.value.diagnostics[0].code == "TPL002"
    assert "SecurityError" in err.value.diagnostics[0].message
    assert not (tmp_path / "out").exists()


def test_a_broken_override_template_is_a_positioned_diagnostic(mesh_copy, tmp_path, cli):
    _override(mesh_copy, "avro/schema.avsc.j2", "line one\n{% if %}\n")
    result = cli("build", mesh_copy, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 2
    first = json.loads(result.stdout)[0]
    assert (first["code"], first["line"]) == ("TPL001", 2)
    assert first["file"].endswith("schema.avsc.j2")


def test_a_failed_build_writes_no_lock_file_beside_the_product(tmp_path, monkeypatch):
    """Files outside the output folder (the protobuf number lock) change only after a good write."""
    import meshgen.output

    product = tmp_path / "mesh/sales/leads/v1/dataproduct.yaml"
    product.parent.mkdir(parents=True)
    product.write_text((ROOT / "tests/fixtures/all_types/dataproduct.yaml").read_text())
    lock = product.with_name("dataproduct.lock.json")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(meshgen.output.StagedOutput, "commit", full_disk)
    with pytest.raises(OSError):
        build(tmp_path / "mesh", output=tmp_path / "out", targets=["protobuf"])
    assert not lock.exists()
    monkeypatch.undo()
    build(tmp_path / "mesh", output=tmp_path / "out", targets=["protobuf"])
    assert lock.is_file()


def test_a_broken_producer_is_reported_once_not_again_at_its_consumers(cli, mesh_copy):
    producer = mesh_copy / "checkout/orders/v2/dataproduct.yaml"
    producer.write_text(producer.read_text().replace("type: uuid", "type: uuidd", 1))
    result = cli("validate", mesh_copy, "--format", "json")
    assert result.exit_code == 1
    codes = [d["code"] for d in json.loads(result.stdout)]
    assert "SPEC006" in codes and "MESH002" not in codes


def test_an_unreadable_file_outside_the_selection_is_a_warning(cli, mesh_copy):
    other = mesh_copy / "inventory/stock_levels/v1/dataproduct.yaml"
    other.write_text("domain: [unclosed\n")
    result = cli("validate", mesh_copy / "users", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert [(d["code"], d["severity"]) for d in found if d["code"] == "LOAD001"] == [("LOAD001", "warning")]
    # acting on the whole mesh, the same file stops the command
    assert cli("validate", mesh_copy, "--format", "json").exit_code == 2


def test_without_a_path_the_whole_mesh_of_the_current_folder_is_built(cli, mesh_copy, monkeypatch, tmp_path):
    monkeypatch.chdir(mesh_copy / "users")
    result = cli("build", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/checkout/orders/v2/avro/orders.avsc").is_file()
    assert (tmp_path / "out/users/customers/v1/avro/customers.avsc").is_file()


def test_human_output_shows_three_warnings_per_code_and_counts_the_rest(cli, mesh_copy, tmp_path):
    import re

    # the example mesh's target notes, raised to warnings: codes worth grouping
    (mesh_copy / "meshgen.yaml").write_text((mesh_copy / "meshgen.yaml").read_text()
                                            + "diagnostics: {SQL: warning, DBT: warning, PROTO: warning}\n")
    full = json.loads(cli("build", mesh_copy, "-o", tmp_path / "a", "--format", "json").stdout)
    warnings = [d for d in full if d["severity"] == "warning"]
    per_code: dict[str, int] = {}
    for d in warnings:  # warnings are grouped; errors never are
        per_code[d["code"]] = per_code.get(d["code"], 0) + 1
    assert max(per_code.values()) > 3  # the example mesh has codes worth grouping

    short = cli("build", mesh_copy, "-o", tmp_path / "b").stdout
    heads = re.findall(r"^\S+:\d+:\d+: warning\[(\w+)\]", short, re.M)
    assert all(heads.count(code) == min(n, 3) for code, n in per_code.items())
    hidden = sum(max(n - 3, 0) for n in per_code.values())
    assert f"and {hidden}" in short or hidden == 0

    verbose = cli("build", mesh_copy, "-o", tmp_path / "c", "--verbose").stdout
    assert len(re.findall(r"^\S+:\d+:\d+: warning\[", verbose, re.M)) == len(warnings)


def test_the_example_mesh_is_a_real_mesh():
    """specs/: 3+ domains, 5+ products, v1 and v2 side by side, cross-domain input ports, PII,
    and every type of the grammar."""
    from meshgen.mesh.loader import load_mesh
    from meshgen.model.models import iter_fields
    from meshgen.model.types import Kind

    mesh, _ = load_mesh(SPECS)
    products = [pf.product for pf in mesh.products]
    assert len(products) >= 5 and len({p.domain for p in products}) >= 3
    v1, v2 = mesh.get("data://checkout/orders/v1").product, mesh.get("data://checkout/orders/v2").product
    assert v1.status == "deprecated" and v1.lifecycle.successor == v2.address
    assert any(port.product.split("/")[2] != p.domain for p in products for port in p.inputPorts)
    assert any(p.has_pii for p in products)
    kinds = {t.kind for p in products for ds in p.datasets for f in iter_fields(ds.fields) for t in f.data_type.walk()}
    assert kinds == set(Kind)


def test_bad_target_options_are_positioned_in_meshgen_yaml(cli, mesh_copy, tmp_path):
    config = mesh_copy / "meshgen.yaml"
    config.write_text(config.read_text() + "targets:\n  avro: {namespce: x}\n")
    result = cli("build", mesh_copy, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 1
    (found,) = json.loads(result.stdout)
    assert found["code"] == "SPEC002" and found["file"].endswith("meshgen.yaml")
    assert (found["line"], found["column"]) == (len(config.read_text().splitlines()), 10)
    assert not (tmp_path / "out").exists()


def test_building_one_target_keeps_the_other_targets_output(mesh_copy, tmp_path, cli):
    out = tmp_path / "out"
    assert cli("build", mesh_copy, "-o", out).exit_code == 0
    before = tree_digest(out)
    result = cli("build", mesh_copy, "-o", out, "-t", "avro")
    assert result.exit_code == 0, result.output
    after = tree_digest(out)
    assert set(after) == set(before), sorted(set(before) - set(after))[:5]
    assert any("/avro/" in p for p in after) and any("/sql/" in p for p in after)


def test_the_manifest_records_each_units_inputs_and_files(mesh_copy, tmp_path):
    from meshgen import __version__

    def read_set(*addresses: str) -> str:  # a unit records one digest of the product files it read: path → sha256
        paths = [result.plan.mesh.get(a).path for a in addresses]
        read = {Path(p).relative_to(mesh_copy).as_posix(): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}
        return hashlib.sha256(json.dumps(read, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    out = tmp_path / "out"
    result = build(mesh_copy, output=out)
    units = json.loads((out / "meshgen-manifest.json").read_text())["units"]
    avro = units["avro@data://users/customers/v1"]
    assert avro["folder"] == "users/customers/v1/avro" and avro["reads"] == "product"
    spec = mesh_copy / "users/customers/v1/dataproduct.yaml"
    assert avro["inputs"]["specs"] == read_set("data://users/customers/v1")
    assert avro["inputs"]["meshgen"].startswith(f"{__version__} sha256:") and list(avro["inputs"]["templates"]) == ["avro/schema.avsc.j2"]
    assert avro["files"] and all(f.startswith("users/customers/v1/avro/") for f in avro["files"])
    manifest = json.loads((out / "meshgen-manifest.json").read_text())
    assert len(manifest["specs"]) == len(list(mesh_copy.rglob("dataproduct.yaml")))
    for reader in ("dbt@mesh", "datahub@mesh"):  # the one mesh digest, not every file
        assert units[reader]["reads"] == "mesh" and units[reader]["inputs"]["specs"] is None
        assert units[reader]["inputs"]["mesh"] == manifest["mesh"]
    # a product reader with mesh facts: its own file and the facts' digest (OpenMetadata's reading domains)
    openmetadata = units["openmetadata@data://users/customers/v1"]
    assert openmetadata["reads"] == "product" and len(openmetadata["inputs"]["facts"]) == 64
    assert openmetadata["inputs"]["specs"] == read_set("data://users/customers/v1")
    # a neighbours reader: its own file, the files of the products it reads and that read it, the facts' digest
    backstage = units["backstage@data://users/customers/v1"]
    assert backstage["reads"] == "neighbours" and backstage["inputs"]["mesh"] is None
    graph = result.plan.mesh.graph
    near = {*graph.parents("data://users/customers/v1"), *graph.children("data://users/customers/v1")}
    assert near and backstage["inputs"]["specs"] == read_set("data://users/customers/v1", *near)
    assert len(backstage["inputs"]["facts"]) == 64
    listed = {f for u in units.values() for f in u["files"]}
    assert listed == set(tree_digest(out)) - {"meshgen-manifest.json"}
    # a product edited and rebuilt alone: its units' hashes change, the others' stay
    spec.write_text(spec.read_text().replace("One row per registered customer", "Edited. One row per registered customer", 1))
    build(spec, output=out)
    again = json.loads((out / "meshgen-manifest.json").read_text())["units"]
    assert again["avro@data://users/customers/v1"]["inputs"]["specs"] != avro["inputs"]["specs"]
    others = [k for k in units if "users/customers" not in k and units[k]["reads"] != "mesh"]
    assert others and all(again[k] == units[k] for k in others)


@pytest.mark.parametrize("template, text, line", [
    ("avro/schema.avsc.j2", '{"type": "record",\n "name": {{ schema.name }}}\n', 2),
    ("backstage/catalog-info.yaml.j2", "kind: Component\nmetadata: {name: [x}\n", 2),
    ("pydantic/models.py.j2", "class Broken(\n", 1),
])
def test_an_override_that_writes_an_invalid_artifact_is_refused(mesh_copy, tmp_path, cli, template, text, line):
    _override(mesh_copy, template, text)
    target = template.split("/")[0]
    result = cli("build", mesh_copy, "-o", tmp_path / "out", "-t", target, "--format", "json")
    assert result.exit_code == 2, result.output
    found = next(d for d in json.loads(result.stdout) if d["code"] == "TPL004")
    assert found["file"].endswith(template) and f"(line {line}," in found["message"], found
    assert not (tmp_path / "out").exists()


def test_a_number_too_large_to_print_is_said_in_the_template_authors_words(mesh_copy, tmp_path):
    _override(mesh_copy, "avro/schema.avsc.j2", "{{ 10**5000 }}\n")
    from meshgen.errors import TemplateFailure

    with pytest.raises(TemplateFailure) as err:
        build(mesh_copy, output=tmp_path / "out", targets=["avro"])
    (found,) = err.value.diagnostics
    assert found.code == "TPL002" and "too large to print" in found.message
    assert "int_max_str_digits" not in found.message


def test_a_unit_runs_with_the_collector_paused_and_the_build_resumes_it(mesh_copy, tmp_path, monkeypatch):
    """The cyclic collector does not walk a unit's documents while the unit builds them (they are
    as large as the product); it runs again once the unit has returned."""
    import gc

    from meshgen.targets.avro import AvroTarget

    seen = []
    real = AvroTarget.generate

    def noting(self, pf):
        seen.append(gc.isenabled())
        yield from real(self, pf)
        seen.append(gc.isenabled())

    monkeypatch.setattr(AvroTarget, "generate", noting)
    assert gc.isenabled()
    build(mesh_copy, output=tmp_path / "out", targets=["avro"])
    assert seen and not any(seen), seen
    assert gc.isenabled()
