"""Incremental builds: after any sequence of edits, a rebuild into the previous output (with
this user's cache of loaded products, checking passes' results and parts) is byte-identical to a
clean build into an empty folder with an empty cache, and reports the same diagnostics.

The edit sequence is random but seeded (MESHGEN_INCREMENTAL_SEED, MESHGEN_INCREMENTAL_STEPS to
run a longer one): edit a product, add one, delete one, rename its file or the product, change a
template override, change meshgen.yaml, or change nothing (the build replays the previous one).
"""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.errors import MeshgenError, ViolationsFound
from tests.core.test_build import tree_digest

SEED = int(os.environ.get("MESHGEN_INCREMENTAL_SEED", "14"))
STEPS = int(os.environ.get("MESHGEN_INCREMENTAL_STEPS", "24"))
LEAF = "marketing/campaign_attribution/v1/dataproduct.yaml"  # read by no other product: copies of it can go
OVERRIDE = "sql/table.sql.j2"
NOTHING = "nothing changed"  # the build replays the previous one's findings (incremental.unchanged_build)
# every way a unit reads (product, upstream, mesh; product, mesh and product+mesh units; a lock
# beside the product); the slowest targets (pydantic, odcs) are left out to keep the test short
TARGETS = "[airflow, amundsen, avro, backstage, dagster, datahub, dbt, odps, openmetadata, protobuf, quality, sql]"


class EditedMesh:
    """The example mesh and the edits a random sequence applies to it."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng, self.copies, self.n = root, rng, [], 0
        self.config = (root / "meshgen.yaml").read_text() + f"targets: {TARGETS}\n"
        (root / "meshgen.yaml").write_text(self.config)

    def products(self) -> list[Path]:
        return sorted(self.root.rglob("dataproduct.yaml"))

    def edit(self) -> str:
        path = self.rng.choice(self.products())
        text = path.read_text()
        lines = [i for i, line in enumerate(text.splitlines()) if re.match(r"\s+description: [A-Za-z]", line)]
        i = self.rng.choice(lines)
        out = text.splitlines(keepends=True)
        out[i] = out[i].rstrip("\n") + f" Edited {self.n}.\n"
        path.write_text("".join(out))
        return f"edit {path.relative_to(self.root)} line {i + 1}"

    def add(self) -> str:
        # a reading product in another domain changes mesh facts (OpenMetadata's Consumer-aligned
        # domain, entity and job names unique across the mesh), and a name other domains use
        domain = self.rng.choice(["marketing", "users", "payments", "inventory"])
        name = self.rng.choice([f"copy_{self.n}", f"copy_{self.n}", "customers", "orders", "shipments"])
        dest = self.root / f"{domain}/{name}/v1/dataproduct.yaml"
        if dest.parent.parent.exists():
            name = f"copy_{self.n}"
            dest = self.root / f"{domain}/{name}/v1/dataproduct.yaml"
        text = (self.root / LEAF).read_text().replace("name: campaign_attribution", f"name: {name}", 1)
        text = text.replace("domain: marketing", f"domain: {domain}", 1)
        dest.parent.mkdir(parents=True)
        dest.write_text(text)
        self.copies.append(dest)
        return f"add {dest.relative_to(self.root)}"

    def delete(self) -> str:
        if not self.copies:
            return self.add()
        path = self.copies.pop(self.rng.randrange(len(self.copies)))
        shutil.rmtree(path.parent.parent)
        return f"delete {path.relative_to(self.root)}"

    def rename(self) -> str:
        if not self.copies:
            return self.add()
        i = self.rng.randrange(len(self.copies))
        old = self.copies[i]
        if self.rng.random() < 0.5:  # move the file: same product, another path
            new = self.root / f"renamed/{old.parent.parent.name}_{self.n}/v1/dataproduct.yaml"
            new.parent.mkdir(parents=True)
            old.rename(new)
            old.with_name("dataproduct.lock.json").unlink(missing_ok=True)
        else:  # rename the product: another address, same file
            new = old
            name = re.search(r"^name: (\S+)$", old.read_text(), re.M).group(1)
            old.write_text(old.read_text().replace(f"name: {name}", f"name: {name}_r{self.n}", 1))
        self.copies[i] = new
        return f"rename {old.relative_to(self.root)} -> {new.relative_to(self.root)}"

    def template(self) -> str:
        folder = self.root / "templates"
        override = folder / OVERRIDE
        if override.exists() and self.rng.random() < 0.4:
            override.unlink()
            return f"remove override {OVERRIDE}"
        from meshgen.render import builtin_template_dir

        override.parent.mkdir(parents=True, exist_ok=True)
        override.write_text((builtin_template_dir() / OVERRIDE).read_text() + f"-- override {self.n}\n")
        return f"override {OVERRIDE}"

    def configure(self) -> str:
        lines = [self.config.rstrip("\n")]
        if self.rng.random() < 0.7:
            lines.append(f"site_url: https://docs.example.com/m{self.n}")
        if (self.root / "templates").is_dir():
            lines.append("templates: templates")
        (self.root / "meshgen.yaml").write_text("\n".join(lines) + "\n")
        return "meshgen.yaml: " + " | ".join(lines[1:])

    def nothing(self) -> str:
        return NOTHING

    def step(self) -> str:
        self.n += 1
        action = self.rng.choice([self.edit, self.edit, self.add, self.delete, self.rename, self.template,
                                  self.configure, self.nothing])
        done = action()
        if action == self.template:  # the override folder is named in meshgen.yaml while it exists
            text = (self.root / "meshgen.yaml").read_text()
            if "templates: templates" not in text:
                (self.root / "meshgen.yaml").write_text(text + "templates: templates\n")
        return done


def _outcome(mesh: Path, out: Path):
    try:
        result = build(mesh, output=out)
    except ViolationsFound as exc:
        return None, [d.to_dict() for d in exc.diagnostics]
    return result, [d.to_dict() for d in result.diagnostics.sorted()]


def _clean_outcome(mesh: Path, out: Path, cache: Path, monkeypatch):
    """A clean build: an empty output folder, and an empty cache of this user's records (no
    product read back, no checking pass's results, no mesh unit's parts)."""
    from meshgen.signed_cache import CACHE_VARIABLE

    with monkeypatch.context() as patch:
        patch.setenv(CACHE_VARIABLE, str(cache))
        return _outcome(mesh, out)


def test_random_edit_sequences_rebuild_byte_identical_to_clean_builds(mesh_copy, tmp_path, monkeypatch):
    rng = random.Random(SEED)
    mesh = EditedMesh(mesh_copy, rng)
    out = tmp_path / "incremental"
    first, _ = _outcome(mesh_copy, out)
    assert first is not None and first.reused == 0
    reused_somewhere = replayed_somewhere = False
    built = True
    for k in range(STEPS):
        done = mesh.step()
        result, diagnostics = _outcome(mesh_copy, out)
        if done == NOTHING and built:
            assert result is not None and result.plan is None, f"step {k}: not replayed"
            replayed_somewhere = True
        built = result is not None
        clean_out = tmp_path / f"clean-{k}"
        clean, clean_diagnostics = _clean_outcome(mesh_copy, clean_out, tmp_path / f"cache-{k}", monkeypatch)
        assert (result is None) == (clean is None), f"step {k}: {done}"
        assert diagnostics == clean_diagnostics, f"step {k}: {done}"
        if clean is not None:
            assert tree_digest(out) == tree_digest(clean_out), f"step {k}: {done}"
            assert clean.reused == 0
            reused_somewhere |= result.reused > 0
        shutil.rmtree(clean_out, ignore_errors=True)
        shutil.rmtree(tmp_path / f"cache-{k}", ignore_errors=True)
    assert reused_somewhere and replayed_somewhere


def test_a_rebuild_with_nothing_changed_reuses_every_unit_and_writes_nothing(mesh_copy, tmp_path):
    out = tmp_path / "out"
    build(mesh_copy, output=out)
    inode = os.stat(out).st_ino
    again = build(mesh_copy, output=out)
    assert again.reused == again.units > 0
    assert os.stat(out).st_ino == inode  # not swapped: the same folder


def test_a_tampered_output_file_is_rebuilt_not_reused(mesh_copy, tmp_path):
    out = tmp_path / "out"
    build(mesh_copy, output=out)
    clean = tree_digest(out)
    avsc = out / "users/customers/v1/avro/customers.avsc"
    avsc.write_text("{}")
    again = build(mesh_copy, output=out)
    assert again.reused == again.units - 1
    assert tree_digest(out) == clean


def test_editing_one_product_reruns_its_units_and_the_mesh_readers_only(mesh_copy, tmp_path):
    out = tmp_path / "out"
    first = build(mesh_copy, output=out)
    spec = mesh_copy / "users/customers/v1/dataproduct.yaml"
    spec.write_text(spec.read_text().replace("One row per registered customer", "Edited. One row", 1))
    again = build(mesh_copy, output=out)
    plan = again.plan
    rerun = {r.unit.key for r in again.results if not r.reused}
    edited, graph = "data://users/customers/v1", plan.mesh.graph
    expected = {u.key for u in plan.units if u.reads == "mesh" or u.product is None
                or u.product.path == spec or u.reads == "upstream" and edited in
                graph.upstream(u.product.product.address) or u.reads == "neighbours" and edited in
                _neighbours(plan.mesh, u.product)}
    assert rerun == expected and first.units == again.units
    # the job stubs, catalog entries and DataHub proposals of products that neither read nor are
    # read by it are kept, and every OpenMetadata product unit but its own
    kept = {u.key for u in plan.units if u.product is not None and u.key not in rerun}
    assert {"airflow", "backstage", "dagster", "datahub", "openmetadata"} <= {key.split("@")[0] for key in kept}
    assert [key for key in rerun if key.startswith("openmetadata@")] == ["openmetadata@" + edited]


def _neighbours(mesh, pf) -> set[str]:
    """What a `reads: neighbours` unit of `pf` reads: its producers, its consumers, its successor."""
    address, lifecycle = pf.product.address, pf.product.lifecycle
    successor = {lifecycle.successor} if lifecycle and lifecycle.successor else set()
    return {*mesh.graph.parents(address), *mesh.graph.children(address), *successor}


def test_a_successors_moved_table_reaches_its_predecessors_datahub_deprecation(mesh_copy, tmp_path):
    out = tmp_path / "out"
    build(mesh_copy, output=out, targets=["datahub"])
    spec = mesh_copy / "checkout/orders/v2/dataproduct.yaml"  # the successor of checkout/orders/v1
    spec.write_text(spec.read_text().replace("ANALYTICS.CHECKOUT.ORDERS_V2", "ANALYTICS.CHECKOUT.ORDERS_MOVED", 1))
    again = build(mesh_copy, output=out, targets=["datahub"])
    assert "datahub@data://checkout/orders/v1" in {r.unit.key for r in again.results if not r.reused}
    assert "analytics.checkout.orders_moved" in (out / "checkout/orders/v1/datahub/mcps.json").read_text()  # replacement
    build(mesh_copy, output=tmp_path / "clean", targets=["datahub"])
    assert tree_digest(out) == tree_digest(tmp_path / "clean")


@pytest.mark.parametrize("incremental", [True, False])
def test_no_incremental_runs_every_unit(mesh_copy, tmp_path, incremental):
    out = tmp_path / "out"
    build(mesh_copy, output=out)
    again = build(mesh_copy, output=out, incremental=incremental)
    assert (again.reused == again.units) is incremental


def test_check_lists_stale_missing_and_extra_files_and_writes_nothing(cli, mesh_copy, tmp_path):
    out = tmp_path / "out"
    missing = cli("build", mesh_copy, "-o", out, "--check")
    assert missing.exit_code == 1 and not out.exists()
    assert "missing: meshgen-manifest.json" in missing.stdout
    assert cli("build", mesh_copy, "-o", out).exit_code == 0
    ok = cli("build", mesh_copy, "-o", out, "--check")
    assert ok.exit_code == 0 and "is up to date" in ok.stderr, ok.output
    assert not re.search(r"^(stale|missing|extra): ", ok.stdout, re.M)
    (out / "users/customers/v1/avro/customers.avsc").write_text("{}")
    (out / "checkout/orders/v1/avro/orders.avsc").unlink()
    (out / "users/customers/v1/avro/notes.txt").write_text("mine")
    spec = mesh_copy / "users/customers/v1/dataproduct.yaml"
    spec.write_text(spec.read_text().replace("One row per registered customer", "Edited. One row", 1))
    before = tree_digest(out)
    result = cli("build", mesh_copy, "-o", out, "--check")
    assert result.exit_code == 1, result.output
    lines = set(result.stdout.splitlines())
    assert {"stale: users/customers/v1/avro/customers.avsc", "missing: checkout/orders/v1/avro/orders.avsc",
            "extra: users/customers/v1/avro/notes.txt", "stale: meshgen-manifest.json"} <= lines
    assert not [line for line in lines if "checkout/orders/v2/" in line]  # another product, untouched
    assert any(line.startswith("stale: users/customers/v1/jsonschema/") for line in lines)
    assert tree_digest(out) == before  # nothing written


def test_check_reports_a_protobuf_lock_the_build_would_write(cli, mesh_copy, tmp_path):
    out = tmp_path / "out"
    assert cli("build", mesh_copy, "-o", out).exit_code == 0
    lock = mesh_copy / "users/customers/v1/dataproduct.lock.json"
    lock.unlink()
    result = cli("build", mesh_copy, "-o", out, "--check")
    assert result.exit_code == 1 and "dataproduct.lock.json" in result.stdout, result.output
    assert not lock.exists()


def test_jobs_build_the_same_bytes_as_one_job(cli, mesh_copy, tmp_path):
    one = cli("build", mesh_copy, "-o", tmp_path / "one", "-j", "1", "--format", "json")
    three = cli("build", mesh_copy, "-o", tmp_path / "three", "--jobs", "3", "--format", "json")
    assert one.exit_code == three.exit_code == 0, three.output
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "three")
    assert one.stdout == three.stdout  # the same diagnostics, in the same order


def test_parallel_units_run_in_other_processes(mesh_copy, tmp_path, monkeypatch):
    from meshgen import planner

    pids = tmp_path / "pids"
    real = planner.run_unit

    def noting(plan, unit):  # forked workers inherit it, and append their own pid
        with pids.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(plan, unit)

    monkeypatch.setattr(planner, "run_unit", noting)
    build(mesh_copy, output=tmp_path / "out", jobs=2)
    workers = set(pids.read_text().split()) - {str(os.getpid())}
    assert len(workers) == 2
    monkeypatch.setattr(planner, "run_unit", real)
    build(mesh_copy, output=tmp_path / "serial")
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "serial")


def test_a_worker_hands_back_the_lock_to_record_instead_of_the_unit_running_again(mesh_copy, tmp_path, monkeypatch):
    """A first build with --jobs writes each Protobuf lock from the record the worker returned:
    no protobuf unit runs twice (it used to run again in the build's process)."""
    from meshgen import planner

    locks = sorted(mesh_copy.rglob("*.lock.json"))
    assert locks, "the mesh has Protobuf products"
    serial = {}
    for lock in locks:
        lock.unlink()
    build(mesh_copy, output=tmp_path / "serial", jobs=1)
    for lock in locks:
        serial[lock] = lock.read_bytes()
        lock.unlink()
    runs = tmp_path / "runs"
    real = planner.run_unit

    def noting(plan, unit):  # forked workers inherit it
        with runs.open("a") as fh:
            fh.write(f"{unit.key} {os.getpid()}\n")
        return real(plan, unit)

    monkeypatch.setattr(planner, "run_unit", noting)
    result = build(mesh_copy, output=tmp_path / "out", jobs=2)
    ran = [line.split() for line in runs.read_text().splitlines()]
    keys = [key for key, _ in ran]
    assert any(k.startswith("protobuf@") for k in keys) and len(keys) == len(set(keys)), keys
    assert str(os.getpid()) not in {pid for _, pid in ran}
    assert {lock: lock.read_bytes() for lock in locks} == serial
    assert sorted(result.beside) == locks
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "serial")


def test_parallel_workers_inherit_the_compiled_templates(mesh_copy, tmp_path, monkeypatch):
    """The build's process compiles the plan's templates before it forks its workers, so no
    worker compiles one again (each used to compile every template it rendered)."""
    from jinja2 import Environment

    from meshgen.render import renderer_for

    renderer_for.cache_clear()  # a renderer of its own: nothing compiled by an earlier test
    compiled = tmp_path / "compiled"
    real = Environment._compile

    def noting(self, source, filename):
        with compiled.open("a") as fh:
            fh.write(f"{os.getpid()} {filename}\n")
        return real(self, source, filename)

    monkeypatch.setattr(Environment, "_compile", noting)
    build(mesh_copy, output=tmp_path / "out", jobs=2, incremental=False)
    by = [line.split(" ", 1) for line in compiled.read_text().splitlines()]
    assert by and {pid for pid, _ in by} == {str(os.getpid())}, by


def test_check_of_some_targets_compares_their_folders_and_the_index(cli, mesh_copy, tmp_path):
    out = tmp_path / "out"
    assert cli("build", mesh_copy, "-o", out, "-t", "avro").exit_code == 0
    assert cli("build", mesh_copy, "-o", out, "-t", "avro", "--check").exit_code == 0
    (out / "_mesh/index.json").write_text("{}")
    result = cli("build", mesh_copy, "-o", out, "-t", "avro", "--check")
    assert result.exit_code == 1 and "stale: _mesh/index.json" in result.stdout, result.output


def test_another_meshgen_of_the_same_version_reruns_every_unit(mesh_copy, tmp_path, monkeypatch):
    from meshgen import planner

    out = tmp_path / "out"
    build(mesh_copy, output=out)
    monkeypatch.setattr(planner, "meshgen_build", lambda: f"{planner.__version__} sha256:{'0' * 64}")
    again = build(mesh_copy, output=out)
    assert again.units > 0 and again.reused == 0


def test_the_code_digest_follows_the_code_and_templates_not_the_bytecode(tmp_path):
    from meshgen import planner

    package = tmp_path / "meshgen"
    shutil.copytree(Path(planner.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    first = planner.code_digest(package)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "planner.cpython-311.pyc").write_bytes(b"bytecode")
    assert planner.code_digest(package) == first
    template = next(package.rglob("*.j2"))
    template.write_text(template.read_text() + " ")
    assert planner.code_digest(package) != first


# ---- nothing changed: the build replays what the previous one found (incremental.unchanged_build)

def _small_mesh(mesh_copy: Path) -> Path:
    """The example mesh building avro and protobuf only (protobuf reads the locks beside the products)."""
    config = mesh_copy / "meshgen.yaml"
    config.write_text(config.read_text() + "targets: [avro, protobuf]\n")
    return mesh_copy


def _replays(monkeypatch) -> list:
    """What each build's incremental.unchanged_build returned (a Replay, or None: it ran)."""
    from meshgen import incremental

    seen, real = [], incremental.unchanged_build
    monkeypatch.setattr(incremental, "unchanged_build", lambda inputs: seen.append(real(inputs)) or seen[-1])
    return seen


@pytest.mark.parametrize("args", [(), ("--format", "json"), ("--fail-on", "note", "--verbose")])
def test_a_replayed_build_reports_what_running_it_reports_and_loads_nothing(cli, mesh_copy, tmp_path, monkeypatch,
                                                                             args):
    from meshgen import incremental
    from meshgen.mesh import loader

    mesh, out = _small_mesh(mesh_copy), tmp_path / "out"
    first = cli("build", mesh, "-o", out, *args)
    before = tree_digest(out)
    real_replay = incremental.unchanged_build
    monkeypatch.setattr(incremental, "unchanged_build", lambda inputs: None)
    ran = cli("build", mesh, "-o", out, *args)
    monkeypatch.setattr(incremental, "unchanged_build", real_replay)
    monkeypatch.setattr(loader, "load_mesh", lambda *a, **k: pytest.fail("a replayed build loaded the mesh"))
    replayed = cli("build", mesh, "-o", out, *args)
    assert first.exit_code == ran.exit_code and (args or "units unchanged" in ran.stderr)
    assert (replayed.exit_code, replayed.stdout, replayed.stderr) == (ran.exit_code, ran.stdout, ran.stderr)
    assert "note" in ran.stdout + ran.stderr and tree_digest(out) == before


def _edit_spec(mesh: Path) -> None:
    spec = mesh / "users/customers/v1/dataproduct.yaml"
    spec.write_text(spec.read_text().replace("One row per registered customer", "Edited. One row", 1))


def _touch_lock(mesh: Path) -> None:
    lock = mesh / "users/customers/v1/dataproduct.lock.json"
    lock.write_text(lock.read_text().rstrip("\n") + " \n")


def _override_template(mesh: Path) -> None:
    (mesh / "templates").mkdir()
    (mesh / "templates/unused.j2").write_text("x\n")
    (mesh / "meshgen.yaml").write_text((mesh / "meshgen.yaml").read_text() + "templates: templates\n")


def _plant_leftover(out: Path) -> None:
    (out.parent / f".{out.name}.staging-x").mkdir()


def _link_same_bytes(out: Path, rel: str) -> None:
    """`rel` (a file or a folder) replaced by a symlink to a copy of it outside the output."""
    target, copy = out / rel, out.parent / f"copy-of-{Path(rel).name}"
    (shutil.copytree if target.is_dir() else shutil.copyfile)(target, copy)
    (shutil.rmtree if target.is_dir() else os.unlink)(target)
    target.symlink_to(copy)


def _plant_record(out: Path) -> None:
    """The build's record, altered and signed with another key: it must not be believed."""
    import hashlib
    import hmac

    from meshgen import signed_cache
    from meshgen.incremental import BUILD_RECORD

    name = hashlib.sha256(os.path.abspath(out).encode()).hexdigest()
    path = signed_cache.record_path(BUILD_RECORD, name)
    body = path.read_bytes().partition(b"\n")[2].replace(b'"products":7', b'"products":8')
    forged = hmac.new(os.urandom(32), f"{BUILD_RECORD}/{name}".encode() + b"\0" + body, hashlib.sha256).hexdigest()
    path.write_bytes(forged.encode() + b"\n" + body)


CHANGES = {
    "a product file": lambda mesh, out, mp: _edit_spec(mesh),
    "meshgen.yaml": lambda mesh, out, mp: (mesh / "meshgen.yaml").write_text(
        (mesh / "meshgen.yaml").read_text() + "site_url: https://example.com/docs\n"),
    "a template override": lambda mesh, out, mp: _override_template(mesh),
    "a domain policy": lambda mesh, out, mp: (mesh / "users/governance.yaml").write_text("rules: {}\n"),
    "a Protobuf lock": lambda mesh, out, mp: _touch_lock(mesh),
    "a new product file": lambda mesh, out, mp: shutil.copytree(mesh / "users/customers/v1", mesh / "users/customers/v9"),
    "today": lambda mesh, out, mp: mp.setenv("MESHGEN_TODAY", "2031-01-01"),
    "meshgen's code": lambda mesh, out, mp: mp.setattr(
        "meshgen.planner.meshgen_build", lambda: f"0 sha256:{'1' * 64}"),
    "an output file": lambda mesh, out, mp: (out / "users/customers/v1/avro/customers.avsc").write_text("{}"),
    "an extra output file": lambda mesh, out, mp: (out / "users/mine.txt").write_text("mine"),
    "a killed build's leftover": lambda mesh, out, mp: _plant_leftover(out),
    "a symlink to the same bytes": lambda mesh, out, mp: _link_same_bytes(out, "users/customers/v1/avro/customers.avsc"),
    "a symlinked folder": lambda mesh, out, mp: _link_same_bytes(out, "users/customers/v1/avro"),
    "a planted record": lambda mesh, out, mp: _plant_record(out),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_of_an_input_or_of_the_output_runs_the_build(mesh_copy, tmp_path, monkeypatch, change):
    mesh, out = _small_mesh(mesh_copy), tmp_path / "out"
    monkeypatch.setenv("MESHGEN_TODAY", "2026-12-02")
    build(mesh, output=out)
    replays = _replays(monkeypatch)
    build(mesh, output=out)
    CHANGES[change](mesh, out, monkeypatch)
    try:
        build(mesh, output=out)
    except MeshgenError:
        pass  # e.g. an extra file: the output is refused, as it is without a record
    assert replays[0] is not None and replays[1:] == [None], change


@pytest.mark.parametrize("option", [{"strict": True}, {"targets": ["avro"]}, {"path": "users"}])
def test_other_options_run_the_build(mesh_copy, tmp_path, monkeypatch, option):
    mesh, out = _small_mesh(mesh_copy), tmp_path / "out"
    build(mesh, output=out)
    replays = _replays(monkeypatch)
    path = mesh / option.pop("path") if "path" in option else mesh
    try:
        build(path, output=out, **option)
    except MeshgenError:
        pass  # strict: the notes are errors
    assert replays == [None]


def test_validate_and_build_check_replay_the_last_build_when_nothing_changed(cli, mesh_copy, tmp_path, monkeypatch):
    from meshgen.mesh import loader

    mesh, out = _small_mesh(mesh_copy), mesh_copy / "build/mesh"  # validate reads meshgen.yaml's `output:`
    ran = cli("validate", mesh, "--format", "json")
    assert cli("build", mesh).exit_code == 0 and out.is_dir()
    real_load = loader.load_mesh
    monkeypatch.setattr(loader, "load_mesh", lambda *a, **k: pytest.fail("a replayed command loaded the mesh"))
    replayed = cli("validate", mesh, "--format", "json")
    assert (replayed.exit_code, replayed.stdout) == (ran.exit_code, ran.stdout) and '"code"' in ran.stdout
    assert cli("validate", mesh).stderr == cli("validate", mesh).stderr
    up_to_date = cli("build", mesh, "--check")
    assert up_to_date.exit_code == 0 and "is up to date" in up_to_date.stderr, up_to_date.output
    monkeypatch.setattr(loader, "load_mesh", real_load)
    (out / "users/customers/v1/avro/customers.avsc").write_text("{}")  # the output changed: --check runs
    stale = cli("build", mesh, "--check")
    assert stale.exit_code == 1 and "stale: users/customers/v1/avro/customers.avsc" in stale.stdout, stale.output
    _edit_spec(mesh)  # an input changed: validate runs (and loads)
    loads = []
    monkeypatch.setattr(loader, "load_mesh", lambda *a, **k: loads.append(1) or real_load(*a, **k))
    assert cli("validate", mesh).exit_code == ran.exit_code and loads


# ---- a mesh unit's per-product parts (incremental.PartStore) -----------------------------------

PART_COMPUTERS = {"datahub": ("meshgen.targets.datahub:DataHubTarget", "proposals"),
                  "amundsen": ("meshgen.targets.amundsen:AmundsenTarget", "product_rows")}
# DataHub's product units make its mesh unit's parts (`offers_parts`): every call of theirs counts
OFFERS_PARTS = {"datahub"}


def _computed_parts(monkeypatch, target: str) -> list[str]:
    """The products whose part is computed (by the target's mesh unit, or by its product units
    when they offer the parts), not taken from the last build."""
    import importlib

    where, method = PART_COMPUTERS[target]
    module, _, name = where.partition(":")
    cls = getattr(importlib.import_module(module), name)
    computed, real = [], getattr(cls, method)

    def counting(self, pf, *args, **kwargs):
        report = kwargs.get("report", args[0] if args and isinstance(args[0], bool) else False)
        if report is False or target in OFFERS_PARTS:
            computed.append(pf.product.address)
        return real(self, pf, *args, **kwargs)

    monkeypatch.setattr(cls, method, counting)
    return computed


def _parts_records(tmp_path: Path, monkeypatch) -> Path:
    """A private cache of this user's records for the test: the folder of its parts' records."""
    from meshgen import signed_cache
    from meshgen.incremental import PART_RECORD

    monkeypatch.setenv(signed_cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    return tmp_path / "cache" / PART_RECORD


def _protobuf_products(mesh) -> set[str]:
    return {pf.product.address for pf in mesh.products if any(p.format == "protobuf" for p in pf.product.outputPorts)}


@pytest.mark.parametrize("locks", ["committed", "made by the first build"])
@pytest.mark.parametrize("target", sorted(PART_COMPUTERS))
def test_a_mesh_unit_recomputes_only_the_parts_an_edit_reaches(mesh_copy, tmp_path, monkeypatch, target, locks):
    out, records = tmp_path / "out", _parts_records(tmp_path, monkeypatch)
    if locks != "committed":  # the first build writes every Protobuf lock
        for lock in mesh_copy.rglob("*.lock.json"):
            lock.unlink()
    computed = _computed_parts(monkeypatch, target)
    first = build(mesh_copy, output=out, targets=[target, "protobuf"])
    assert len(list(records.glob("*.json"))) == len(set(computed)) > 1  # a record a part
    if target in OFFERS_PARTS:  # each product's part made once, by its product unit
        assert sorted(computed) == sorted(pf.product.address for pf in first.mesh.products)
    computed.clear()
    _edit_spec(mesh_copy)
    again = build(mesh_copy, output=out, targets=[target, "protobuf"])
    edited = "data://users/customers/v1"
    near = {pf.product.address for pf in again.plan.mesh.products if edited == pf.product.address
            or edited in _neighbours(again.plan.mesh, pf)}
    if locks != "committed" and target == "datahub":  # a Protobuf port's schema is numbered from its new lock
        near |= _protobuf_products(again.plan.mesh)
    assert sorted(computed) == sorted(near) and len(near) < len(again.plan.mesh.products)
    clean = build(mesh_copy, output=tmp_path / "clean", targets=[target, "protobuf"], incremental=False)
    assert tree_digest(out) == tree_digest(tmp_path / "clean")
    assert [d.to_dict() for d in again.diagnostics.sorted()] == [d.to_dict() for d in clean.diagnostics.sorted()]
    assert any(d.code.startswith(target.upper()) for d in first.diagnostics)  # reports made again from the record


def test_two_products_that_read_the_same_files_have_parts_of_their_own(mesh_copy, tmp_path, monkeypatch):
    """checkout/orders/v1 and payments/transactions/v2 read only each other (their parts read
    the same product files); without locks nothing else told their parts apart (a defect: one
    product's DataHub proposals were written for both)."""
    _parts_records(tmp_path, monkeypatch)
    for lock in mesh_copy.rglob("*.lock.json"):
        lock.unlink()
    for name, incremental in (("parts", True), ("clean", False)):
        build(mesh_copy, output=tmp_path / name, targets=["datahub", "amundsen", "dbt"], incremental=incremental)
    assert tree_digest(tmp_path / "parts") == tree_digest(tmp_path / "clean")


def test_dbts_mesh_unit_makes_again_only_the_model_files_an_edit_reaches(mesh_copy, tmp_path, monkeypatch):
    from meshgen.targets.dbt import DbtTarget

    out, records = tmp_path / "out", _parts_records(tmp_path, monkeypatch)
    first = build(mesh_copy, output=out, targets=["dbt"])
    single = [pf for pf in first.mesh.products if sum(
        q.product.domain == pf.product.domain and q.product.name == pf.product.name for q in first.mesh.products) == 1]
    assert 0 < len(list(records.glob("*.json"))) == len(single) < len(first.mesh.products)  # one part a one-version product
    made, real = [], DbtTarget.document
    monkeypatch.setattr(DbtTarget, "document", lambda self, versions, names: made.append(
        [pf.product.address for pf in versions]) or real(self, versions, names))
    _edit_spec(mesh_copy)
    again = build(mesh_copy, output=out, targets=["dbt"])
    several = [versions for versions in made if len(versions) > 1]
    assert [versions for versions in made if len(versions) == 1] == [["data://users/customers/v1"]] and several
    clean = build(mesh_copy, output=tmp_path / "clean", targets=["dbt"], incremental=False)
    assert tree_digest(out) == tree_digest(tmp_path / "clean")
    assert [d.to_dict() for d in again.diagnostics.sorted()] == [d.to_dict() for d in clean.diagnostics.sorted()]


@pytest.mark.parametrize("damage", ["corrupt", "forged"])
def test_a_damaged_or_planted_parts_record_is_ignored(mesh_copy, tmp_path, monkeypatch, damage):
    import hashlib
    import hmac

    out, records = tmp_path / "out", _parts_records(tmp_path, monkeypatch)
    build(mesh_copy, output=out, targets=["datahub"])
    planted_any = False
    for record in records.glob("*.json"):
        signature, _, body = record.read_bytes().partition(b"\n")
        # a planted part: the signed record's text, a product's name changed, signed with another key
        planted = body.replace(b"Checkout Orders", b"Planted Orders").replace(b"checkout", b"planted")
        planted_any |= planted != body
        if damage == "corrupt":
            record.write_bytes(signature + b"\n" + planted + b" ")
        else:
            forged = hmac.new(os.urandom(32), f"parts/{record.stem}".encode() + b"\0" + planted, hashlib.sha256)
            record.write_bytes(forged.hexdigest().encode() + b"\n" + planted)
    assert planted_any
    computed = _computed_parts(monkeypatch, "datahub")
    _edit_spec(mesh_copy)
    again = build(mesh_copy, output=out, targets=["datahub"])
    assert len(computed) == len(again.plan.mesh.products)  # every part computed again
    assert "Planted" not in (out / "_mesh/datahub/mesh.json").read_text()
    build(mesh_copy, output=tmp_path / "clean", targets=["datahub"], incremental=False)
    assert tree_digest(out) == tree_digest(tmp_path / "clean")


# ---- what the output holds: one walk, files read again only when their stat changed ----------

def _walk_reads(monkeypatch) -> list[str]:
    """The output files a walk reads (their stat was not the recorded one), as absolute paths."""
    from meshgen import incremental

    read, real = [], incremental._read_digest
    monkeypatch.setattr(incremental, "_read_digest", lambda path: read.append(str(path)) or real(path))
    return read


def _settled(monkeypatch) -> None:
    """Every file counts as changed long enough ago (no test waits out RACY_NS)."""
    from meshgen import incremental

    monkeypatch.setattr(incremental, "RACY_NS", -10**12)


def _stats(out: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_ino, p.stat().st_ctime_ns) for p in out.rglob("*") if p.is_file()}


def test_a_rebuild_reads_only_the_output_files_whose_stat_changed(mesh_copy, tmp_path, monkeypatch):
    _settled(monkeypatch)
    out = tmp_path / "out"
    build(mesh_copy, output=out)
    before = _stats(out)
    read = _walk_reads(monkeypatch)
    _edit_spec(mesh_copy)
    again = build(mesh_copy, output=out)
    after = _stats(out)
    # the reuse checks read nothing; the walk after the write reads the files it put in place
    # (new, or linked into a replaced folder: a new ctime), and no other
    changed = {path for path, stat in after.items() if before.get(path) != stat}
    assert again.reused > 0 and read and set(read) <= changed, set(read) - changed
    assert len(changed) < len(after) // 2
    read.clear()
    replay = build(mesh_copy, output=out)
    # nothing changed: no output file read but the manifest, which the last build wrote last
    assert replay.plan is None and [Path(path).name for path in read] == ["meshgen-manifest.json"]
    read.clear()
    assert build(mesh_copy, output=out).plan is None and read == []


@pytest.mark.parametrize("change", ["same size", "same size and times", "replaced"])
def test_a_changed_output_file_is_found_whatever_its_stat_says(mesh_copy, tmp_path, monkeypatch, change):
    _settled(monkeypatch)
    out = tmp_path / "out"
    build(mesh_copy, output=out)
    clean = tree_digest(out)
    avsc = out / "users/customers/v1/avro/customers.avsc"
    before = os.stat(avsc)
    text = avsc.read_bytes()
    tampered = text.replace(b'"name"', b'"nAme"', 1)
    assert len(tampered) == len(text) and tampered != text
    if change == "replaced":  # another file (another inode) put in its place, times copied
        avsc.unlink()
        avsc.write_bytes(tampered)
    else:
        avsc.write_bytes(tampered)
    if change != "same size":
        os.utime(avsc, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime set back (ctime cannot be)
    again = build(mesh_copy, output=out)
    assert again.plan is not None and again.reused == again.units - 1  # not replayed: the avro unit reruns
    assert tree_digest(out) == clean


def test_a_planted_output_record_is_not_believed(mesh_copy, tmp_path, monkeypatch):
    import hashlib
    import hmac

    from meshgen import signed_cache
    from meshgen.incremental import TREE_RECORD

    _settled(monkeypatch)
    out = tmp_path / "out"
    build(mesh_copy, output=out)
    avsc = out / "users/customers/v1/avro/customers.avsc"
    avsc.write_text("{}")
    # the record forged to vouch for the tampered file's stat with the old digest
    name = hashlib.sha256(os.path.abspath(out).encode()).hexdigest()
    path = signed_cache.record_path(TREE_RECORD, name)
    record = signed_cache.read_record(TREE_RECORD, name)
    rel = "users/customers/v1/avro/customers.avsc"
    info = os.stat(avsc)
    record["files"][rel][:4] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    body = signed_cache.json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
    forged = hmac.new(os.urandom(32), f"{TREE_RECORD}/{name}".encode() + b"\0" + body, hashlib.sha256).hexdigest()
    path.write_bytes(forged.encode() + b"\n" + body)
    again = build(mesh_copy, output=out)
    assert again.reused == again.units - 1
    assert avsc.read_text() != "{}"


def test_an_incremental_build_walks_the_whole_output_once(mesh_copy, tmp_path, monkeypatch):
    from meshgen import incremental, output

    out = tmp_path / "out"
    build(mesh_copy, output=out)
    walks, real = [], incremental.output_files
    monkeypatch.setattr(incremental, "output_files", lambda o, known=None, within="": walks.append(within) or
                        real(o, known, within))
    monkeypatch.setattr(output, "existing_files", lambda o: pytest.fail("a second walk of the output"))
    _edit_spec(mesh_copy)
    again = build(mesh_copy, output=out)
    # the writer's check for files meshgen did not write and every reuse check: one walk; after the
    # write, only the replaced folders
    assert again.reused > 0 and walks.count("") == 1 and all(w for w in walks[1:])
    (out / "users" / "planted.txt").write_text("not meshgen's")
    _edit_spec(mesh_copy)
    with pytest.raises(MeshgenError, match="did not write"):
        build(mesh_copy, output=out)
