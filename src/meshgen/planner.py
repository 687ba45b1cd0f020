"""The build planner: which units a build runs, what each reads and writes, and where.

A unit is one target over one product (`scope = "product"`) or one target over the whole mesh
(`scope = "mesh"`). Each target declares what a unit reads (`reads`: the product, its upstream
closure, or the whole mesh); the planner hashes exactly those inputs, plus the target's
configuration, the templates the unit rendered and the meshgen version (with its code digest), into the output
folder's manifest. Units do not share state: the executor runs them one after another today,
and nothing stops running them in separate processes later (each returns its files and
diagnostics as plain data).

The output layout lives here and nowhere else:

    <out>/<domain>/<product>/v<major>/<target>/...   a product unit
    <out>/_mesh/<target>/...                         a mesh unit
    <out>/_mesh/index.json                           the mesh's index, for other repositories (mesh/index.py)
    <out>/docs/                                      the docs site's MkDocs project (`meshgen docs build`)
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from meshgen import __version__
from meshgen.diagnostics import Diagnostic, DiagnosticList, Location, Severity
from meshgen.errors import UsageError, ViolationsFound

if TYPE_CHECKING:
    from meshgen.incremental import PartStore, PreviousBuild
    from meshgen.mesh.model import Mesh
    from meshgen.model.loader import ProductFile
    from meshgen.render import TemplateRenderer

MESH_FOLDER = "_mesh"
DOCS_SITE_FOLDER = "docs"
# neighbours: the product, the products it reads, those that read it and its successor (lifecycle),
# and the facts of the whole mesh the target's `mesh_facts(mesh)` names (job ids, entity names):
# editing one product's text reruns its neighbours' units only, adding a product or renaming one
# changes the facts. A product unit of any `reads` but "mesh" may name mesh facts.
READS = ("product", "neighbours", "upstream", "mesh")


# ---- layout ----------------------------------------------------------------------------------

def product_folder(pf: "ProductFile") -> str:
    """`<domain>/<product>/v<major>`: where every product unit of `pf` writes."""
    p = pf.product
    return f"{p.domain}/{p.name}/v{p.major}"


def unit_folder(target: str, pf: "ProductFile | None") -> str:
    """The folder one unit owns inside the output folder."""
    return f"{MESH_FOLDER}/{target}" if pf is None else f"{product_folder(pf)}/{target}"


def layout():
    """The layout as targets see it (TargetContext.layout)."""
    from meshgen.targets.base import Layout

    return Layout(unit_folder=unit_folder, docs_site=DOCS_SITE_FOLDER)


def output_dir(mesh: "Mesh", output: Path | None) -> Path:
    return Path(output) if output is not None else mesh.root / mesh.config.output


# ---- the plan --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    target: str
    product: "ProductFile | None"  # None: one unit for the whole mesh
    reads: str  # one of READS

    # both asked for many times by every build (the reuse checks, the manifest, the write): made once
    @functools.cached_property
    def key(self) -> str:
        return f"{self.target}@{self.product.product.address if self.product else 'mesh'}"

    @functools.cached_property
    def folder(self) -> str:
        return unit_folder(self.target, self.product)


@dataclass
class Plan:
    mesh: "Mesh"
    output: Path
    targets: dict[str, tuple[type, Any]]  # name → (Target class, validated options)
    units: list[Unit]
    renderer: "TemplateRenderer"
    strict: bool
    partial: bool  # some products or some targets: the rest of the previous output stays
    template_digests: dict[str, str] = field(default_factory=dict)  # template name → sha256 of its source
    # product file → (its path relative to the mesh root, sha256 of its bytes): read once per build,
    # however many units read the file (a mesh-reading target has a unit per product)
    spec_digests: dict[str, tuple[str, str]] = field(default_factory=dict)
    read_digests: dict[tuple[str, str], str] = field(default_factory=dict)  # (reads, product file) → its specs digest
    incremental: bool = True  # reuse the previous output's files of units whose inputs did not change
    previous: "PreviousBuild | None" = None  # read by execute
    reused: int = 0  # units whose files came from the previous output
    mesh_digest: str | None = None  # computed once, on first use
    config_digest: str | None = None
    foreign_digest: str | None = None
    config_digests: dict[str, str] = field(default_factory=dict)  # target → its units' config digest
    facts_digests: dict[str, str] = field(default_factory=dict)  # target → digest of its mesh_facts(mesh)
    # modules whose presence picked the default targets (no target named anywhere): part of the fingerprint
    requires: tuple[str, ...] = ()
    staged: Any = None  # the output.StagedOutput a build writes its units' files to as they finish


@dataclass
class UnitResult:
    unit: Unit
    # path inside the output folder → text; empty once written to the staging folder, and for a
    # unit reused from the previous output
    files: dict[str, str | bytes]
    diagnostics: list[Diagnostic]
    inputs: dict[str, Any]
    after_write: list[Callable[[], None]] = field(default_factory=list)
    reused: bool = False
    digests: dict[str, str] = field(default_factory=dict)  # path inside the output folder → sha256
    parts: "PartStore | None" = None  # a mesh unit's parts, recorded once its files are written (_settled)


def plan_build(mesh: "Mesh", *, output: Path | None = None, targets: list[str] | None = None,
               strict: bool | None = None, incremental: bool = True) -> Plan:
    """Every unit the build runs. An unknown target name or bad target options raise."""
    from meshgen.render import renderer_for
    from meshgen.targets import available_targets, load_target

    known = available_targets()
    options = mesh.config.target_options()
    defaults = not targets and not options
    names = list(targets) if targets else (list(options) or _default_targets(known))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"unknown target {unknown[0]!r}", [Diagnostic(
            "CONF002", Severity.ERROR, f"unknown target {unknown[0]!r}", _config_location(mesh, "targets"),
            f"available targets: {', '.join(sorted(known))}")])
    chosen: dict[str, tuple[type, Any]] = {}
    units: list[Unit] = []
    selected = mesh.selected_products()
    for name in sorted(set(names)):
        cls = load_target(name)
        chosen[name] = (cls, _target_options(mesh, cls, options.get(name, {})))
        if cls.scope in ("mesh", "product+mesh"):  # product+mesh: a unit per product, and one for the mesh
            units.append(Unit(name, None, "mesh"))
        if cls.scope != "mesh":
            units.extend(Unit(name, pf, getattr(cls, "reads", "product")) for pf in selected)
    templates = _templates_folder(mesh)
    partial = len(selected) != len(mesh.products) or bool(targets)
    return Plan(mesh, output_dir(mesh, output), chosen, units, renderer_for(str(templates) if templates else None),
                mesh.config.strict if strict is None else strict, partial, incremental=incremental,
                requires=_default_requires(known) if defaults else ())


def _templates_folder(mesh: Mesh) -> Path | None:
    """The mesh's `templates:` folder; a missing one is reported, not silently ignored."""
    if not mesh.config.templates:
        return None
    folder = mesh.root / mesh.config.templates
    if not folder.is_dir():
        raise UsageError(f"templates folder {mesh.config.templates!r} not found", [Diagnostic(
            "CONF003", Severity.ERROR, f"`templates: {mesh.config.templates}` names no folder ({folder} "
            f"{'is not a folder' if folder.exists() else 'does not exist'})", _config_location(mesh, "templates"),
            "create the folder of template overrides, or remove `templates:` from meshgen.yaml")])
    return folder


def _default_targets(known: dict[str, str]) -> list[str]:
    """Every known target whose optional packages (its class's `requires`, module names) are installed."""
    from importlib.util import find_spec

    from meshgen.targets import load_target

    return sorted(n for n in known if all(find_spec(m) is not None for m in getattr(load_target(n), "requires", ())))


def _default_requires(known: dict[str, str]) -> tuple[str, ...]:
    """The optional modules that decide which targets are the default ones."""
    from meshgen.targets import load_target

    return tuple(sorted({m for n in known for m in getattr(load_target(n), "requires", ())}))


def _config_location(mesh: "Mesh", key: str) -> Location:
    if mesh.config_source is not None:
        return mesh.config_source.location((key,))
    return Location(str(mesh.root / "meshgen.yaml"))


def _target_options(mesh: "Mesh", cls, raw: dict):
    from pydantic import ValidationError

    from meshgen.load.yaml_source import SourceMap
    from meshgen.model.loader import pydantic_diagnostics

    try:
        return cls.Options.model_validate(raw)
    except ValidationError as exc:
        source = mesh.config_source or SourceMap(str(mesh.root / "meshgen.yaml"))
        diags = pydantic_diagnostics(exc, raw, _Shifted(source, ("targets", cls.name)), cls.Options)
        raise ViolationsFound(f"bad options for target {cls.name}", diags) from None


class _Shifted:
    """A source map seen from a sub-path (target options inside meshgen.yaml)."""

    def __init__(self, source, prefix: tuple):
        self.source, self.prefix = source, prefix

    def location(self, path=(), *, key: bool = False) -> Location:
        return self.source.location(self.prefix + tuple(path), key=key)


# ---- the executor ----------------------------------------------------------------------------

class _RecordingRenderer:
    """The plan's renderer, noting which templates (and which bytes of them) a unit rendered."""

    def __init__(self, renderer: "TemplateRenderer", digests: dict[str, str]):
        self.renderer, self.digests, self.used = renderer, digests, {}

    def render(self, template_name: str, /, **context: Any) -> str:
        text = self.renderer.render(template_name, **context)
        self.used[template_name] = template_digest(self.renderer, self.digests, template_name)
        return text

    def source_digest(self, template_name: str) -> str | None:
        """sha256 of the source `template_name` renders from, noted as rendered (Target.renders_builtin)."""
        self.used[template_name] = template_digest(self.renderer, self.digests, template_name)
        return self.used[template_name]


def template_digest(renderer: "TemplateRenderer", digests: dict[str, str], name: str) -> str | None:
    """sha256 of the source `name` renders from (the override, else the built-in); None if there is none."""
    from jinja2 import TemplateNotFound

    if name not in digests:
        env = renderer.env
        try:
            digests[name] = _digest(env.loader.get_source(env, name)[0].encode("utf-8"))
        except TemplateNotFound:
            return None
    return digests[name]


def run_unit(plan: Plan, unit: Unit) -> UnitResult:
    """Run one unit: its artifacts under its folder, its diagnostics, the inputs it read."""
    from meshgen.load.collector import collector_paused
    from meshgen.targets.base import TargetContext

    cls, options = plan.targets[unit.target]
    renderer = _RecordingRenderer(plan.renderer, plan.template_digests)
    context = TargetContext(mesh=plan.mesh, renderer=renderer, strict=plan.strict, layout=layout())
    if unit.product is None:
        context.parts = _part_store(plan, unit, context)
    elif getattr(cls, "offers_parts", False):  # the product unit records its product's part of the mesh unit
        context.parts = _part_store(plan, Unit(unit.target, None, "mesh"), context)
    target = cls(context, options)
    # A unit builds documents as large as its product (a 100,000-field schema: ~10^6 dicts and
    # lists, no cycles among them) and keeps them until it returns: collections while it runs
    # would walk them again and again (~0.7-2 s of a 100,000-field build); its few cyclic
    # leftovers (a render's context) are found by the first collection after it.
    with collector_paused():
        artifacts = target.generate_mesh() if unit.product is None else target.generate(unit.product)
        files = {f"{unit.folder}/{a.path}": a.content for a in artifacts}
    if unit.product is None and _has_parts(cls):
        # a part taken from a record was made with templates this run did not render: the unit
        # reruns when any template its parts' keys name changes, not only the ones it rendered
        # (recorded by every build, incremental or not, so that both write the same manifest)
        renderer.used.update(_declared_templates(plan, cls))
    inputs = {**planned_inputs(plan, unit), "templates": dict(sorted(renderer.used.items()))}
    if context.beside_inputs:
        inputs["beside"] = {_mesh_relative(plan.mesh, Path(p)): d for p, d in sorted(context.beside_inputs.items())}
    # context.diagnostics itself: work run after the write may still report into it
    return UnitResult(unit, files, context.diagnostics, inputs, list(context.after_write), parts=context.parts)


def _part_store(plan: Plan, unit: Unit, context) -> "PartStore | None":
    """The parts kept for a mesh unit of a target whose parts read less than the mesh (`part_reads`,
    default its `reads`): a part of a product is keyed by what a unit of those reads reads (product
    files, mesh facts, the target's configuration), every template the target declares, the
    product's Protobuf lock (when the target's `part_reads_lock(pf)`) and what the target names
    (`also`)."""
    from meshgen.incremental import PartStore

    cls = plan.targets[unit.target][0]
    reads = _part_reads(cls)
    if not plan.incremental or not _has_parts(cls):
        return None
    templates = _declared_templates(plan, cls)

    def key_of(pf: "ProductFile", also: Any) -> str:
        from meshgen.output import beside_digest
        from meshgen.targets.protobuf_lock import lock_path

        planned = planned_inputs(plan, Unit(unit.target, pf, reads))
        lock = beside_digest(lock_path(pf.path)) if cls.part_reads_lock(pf) else None
        # whose part it is: two products that read only each other read the same files
        return _digest(_canonical([_spec_digest(plan, pf), planned, templates, lock, also]))

    name = _digest(_canonical([os.path.abspath(plan.output), unit.key]))
    return PartStore(name, key_of, context.reporter, plan.mesh.root)


def _part_reads(cls) -> str:
    return getattr(cls, "part_reads", getattr(cls, "reads", "product"))


def _has_parts(cls) -> bool:
    """Whether a mesh unit of the target keeps parts (its parts read less than the mesh)."""
    return _part_reads(cls) != "mesh"


def _declared_templates(plan: Plan, cls) -> dict[str, str | None]:
    """Every template the target declares → the digest of the source it renders from."""
    return {name: template_digest(plan.renderer, plan.template_digests, name) for name in sorted(cls.templates)}


@functools.cache
def meshgen_build() -> str:
    """`<version> sha256:<digest>` of meshgen's own code and built-in templates: a unit's files are
    reused only from the same meshgen, and an install from a checkout between two releases (the
    same version, other code) must not keep output its code would no longer write."""
    return f"{__version__} sha256:{code_digest(Path(__file__).parent)}"


def code_digest(package: Path) -> str:
    """sha256 over a package's files (paths and bytes, not times: every machine with the same
    meshgen records the same), compiled bytecode left out."""
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix != ".pyc" and "__pycache__" not in path.parts and path.is_file():
            h.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def planned_inputs(plan: Plan, unit: Unit) -> dict[str, Any]:
    """What a unit reads that is known before it runs: the product files it reads (one digest of
    their paths and digests; a mesh-reading unit: the one mesh digest), its target's options,
    strictness and meshgen.yaml, the version."""
    reads_mesh = unit.reads == "mesh" or unit.product is None
    planned = {"config": _target_config_digest(plan, unit.target), "mesh": mesh_digest(plan) if reads_mesh else None,
               "meshgen": meshgen_build(), "specs": None if reads_mesh else _specs_digest(plan, unit)}
    if not reads_mesh and getattr(plan.targets[unit.target][0], "mesh_facts", None) is not None:
        planned["facts"] = _facts_digest(plan, unit.target)
    return planned


def _facts_digest(plan: Plan, target: str) -> str:
    """The digest of what a `neighbours` target reads of the whole mesh (its class's mesh_facts)."""
    if target not in plan.facts_digests:
        facts = getattr(plan.targets[target][0], "mesh_facts", None)
        plan.facts_digests[target] = _digest(_canonical(facts(plan.mesh) if facts else None))
    return plan.facts_digests[target]


def _target_config_digest(plan: Plan, target: str) -> str:
    """The same for every unit of a target: computed once per build."""
    if target not in plan.config_digests:
        options = plan.targets[target][1]
        config = {"options": options.model_dump(mode="json"), "strict": plan.strict, "meshgen.yaml": _config_digest(plan)}
        if plan.mesh.foreign:  # other repositories' products (meshgen.yaml `indexes:`): any unit may resolve against them
            config["foreign"] = _foreign_digest(plan)
        plan.config_digests[target] = _digest(_canonical(config))
    return plan.config_digests[target]


def execute(plan: Plan, jobs: int = 1, progress: Callable[[int, int], None] | None = None,
            staged=None) -> list[UnitResult]:
    """Run every unit of the plan, or take its files from the previous output when nothing it
    reads changed (meshgen.incremental). With `jobs` > 1 the units to run are spread over that
    many processes (forked, so they share the loaded mesh); results keep the plan's order, so
    the output is the same. `progress(done, total)` is called as units finish. With `staged`
    (an output.StagedOutput), each unit's files are written to the staging folder as soon as
    they are made, by the process that made them, and only their digests are kept."""
    from meshgen.incremental import previous_build

    plan.staged = staged
    read = staged.take_previous() if staged is not None else None  # the manifest the writer read
    if plan.incremental and plan.previous is None:
        plan.previous = previous_build(plan.output, read)
        if plan.previous is not None and staged is not None and staged.walked is not None:
            plan.previous.found = staged.walked  # the writer's walk of the output, under the lock: not walked again
    del read  # the document's files as parsed: PreviousBuild holds its own
    results: list[UnitResult | None] = [reused_unit(plan, unit) for unit in plan.units]
    if plan.previous is not None:  # the previous units' records and bytes, read for reuse: not held to the end
        plan.previous = dataclasses.replace(plan.previous, units={}, manifest=b"")  # (nor by every worker)
    plan.reused = sum(r is not None for r in results)
    todo = [i for i, r in enumerate(results) if r is None]
    report = progress or (lambda done, total: None)
    report(plan.reused, len(results))
    for done, (i, result) in enumerate(_run_units(plan, todo, jobs), start=plan.reused + 1):
        results[i] = result
        report(done, len(results))
    return results  # type: ignore[return-value]  # every slot is filled


# Units below this many run in the build's own process: starting workers costs more than they save.
PARALLEL_FROM = 8
_WORKER_PLAN: Plan | None = None  # the plan a forked worker inherited


def _run_units(plan: Plan, indexes: list[int], jobs: int):
    """(index, result) for each unit to run, in order, in `jobs` forked processes when worth it."""
    from meshgen import forked

    indexes = _execution_order(plan, indexes)
    if jobs <= 1 or len(indexes) < PARALLEL_FROM or not forked.can_fork():
        yield from ((i, _settled(plan, run_unit(plan, plan.units[i]))) for i in indexes)
        return
    global _WORKER_PLAN
    _WORKER_PLAN = plan
    _prepare_fork(plan)
    try:
        with forked.pool(jobs) as pool:
            late = {i for i in indexes if _after_products(plan, plan.units[i])}
            # the mesh units that take their parts from the product units start once those all ended
            for batch in ([i for i in indexes if i not in late], [i for i in indexes if i in late]):
                chunk = max(1, len(batch) // (jobs * 8))
                for i, outcome in zip(batch, pool.map(_run_in_worker, batch, chunksize=chunk)):
                    # work to do after the write that cannot leave the worker (a closure): rerun here
                    yield i, (_settled(plan, run_unit(plan, plan.units[i])) if outcome is None else UnitResult(
                        plan.units[i], *outcome[:3], digests=outcome[3], after_write=outcome[4]))
    finally:
        _WORKER_PLAN = None
        gc.unfreeze()


def _execution_order(plan: Plan, indexes: list[int]) -> list[int]:
    """The units to run, the mesh units first (the longest), then product by product: what
    several targets build from one dataset (the JSON Schema document the jsonschema and pydantic
    targets share) is built once in the process that runs both, and dropped soon after. The
    results keep the plan's order whatever the order they ran in."""
    def key(i: int) -> tuple:
        unit = plan.units[i]
        if unit.product is None:
            return (2 if _after_products(plan, unit) else 0, "", i)
        return (1, str(unit.product.path), i)

    return sorted(indexes, key=key)


def _after_products(plan: Plan, unit: Unit) -> bool:
    """A mesh unit whose product units record its parts (`offers_parts`): it runs after them."""
    return unit.product is None and getattr(plan.targets[unit.target][0], "offers_parts", False)


def _prepare_fork(plan: Plan) -> None:
    """What every worker would otherwise do again, done once before they fork: the digests every
    unit's inputs name (the mesh's, each target's config and mesh facts), the templates the plan's
    targets declare, compiled (a worker inherits them); then every object alive moves to the
    collector's permanent generation, so that a worker's collections do not walk (and copy, page
    by page) the loaded mesh it shares with the build's process."""
    mesh_digest(plan)
    for name, (cls, _options) in plan.targets.items():
        _target_config_digest(plan, name)
        if getattr(cls, "mesh_facts", None) is not None:
            _facts_digest(plan, name)
        for template in getattr(cls, "templates", {}):
            try:
                plan.renderer.env.get_template(template)
            except Exception:  # noqa: BLE001 - a broken override: the unit rendering it reports it (TPL001)
                pass
    gc.freeze()


def _run_in_worker(index: int):
    """A worker's unit as plain data (files, diagnostics, inputs, digests, the work after the
    write; no files when the worker wrote them to the staging folder itself), or None when its
    work after the write cannot leave the process (a closure). The diagnostics go back as the
    list that work reports into (one pickle keeps them one object)."""
    import pickle

    result = run_unit(_WORKER_PLAN, _WORKER_PLAN.units[index])
    if result.after_write:
        try:
            pickle.dumps(result.after_write)
        except (pickle.PicklingError, TypeError, AttributeError):
            return None
    result = _settled(_WORKER_PLAN, result)
    return result.files, result.diagnostics, result.inputs, result.digests, result.after_write


def _settled(plan: Plan, result: UnitResult) -> UnitResult:
    """The result with its files' digests; when the build writes, the files go to the staging
    folder now and are not kept (a build holds digests, not artifacts)."""
    if plan.staged is not None:
        result.digests = plan.staged.write(result.files)
        result.files = {}
    else:
        result.digests = {rel: _digest(data.encode("utf-8") if isinstance(data, str) else bytes(data))
                          for rel, data in result.files.items()}
    if result.parts is not None:  # after the write: a mesh unit's texts and its parts' record are not held at once
        result.parts.save()
        result.parts = None
    return result


def reused_unit(plan: Plan, unit: Unit) -> UnitResult | None:
    """The unit's result from the previous output, when it holds it intact and nothing changed."""
    from meshgen.incremental import restored_diagnostics, reusable_files

    if plan.previous is None:
        return None
    planned = planned_inputs(plan, unit)
    digests = reusable_files(plan.previous, unit.key, unit.folder, planned,
                             lambda name: template_digest(plan.renderer, plan.template_digests, name), plan.mesh.root)
    if digests is None:
        return None
    entry = plan.previous.units[unit.key]
    diagnostics = restored_diagnostics(entry.get("diagnostics", []), plan.mesh.root)
    if diagnostics is None:
        return None
    return UnitResult(unit, {}, diagnostics, entry["inputs"], reused=True, digests=digests)


@dataclass
class Written:
    files: list[str]  # paths inside the output folder
    beside: list[Path]  # files written outside it by work run after the write (a Protobuf lock)
    diagnostics: list[Diagnostic]  # what that work reported
    # the places (`place_of`) and top files of the output that the write may have replaced: every
    # other file is where the build found it (incremental.record_output_files walks only these)
    replaced: list[str] = field(default_factory=list)


def _manifest_units(plan: Plan, results: list[UnitResult]) -> dict[str, dict]:
    """The manifest's units: the ones built, and (in a partial build) the previous build's others."""
    from meshgen.incremental import diagnostic_records
    from meshgen.output import read_manifest_units

    replaced = tuple(r.unit.folder for r in results)
    units = read_manifest_units(plan.output) if plan.partial else {}
    units = {k: v for k, v in units.items() if not _inside(v.get("folder", ""), replaced)}
    for r in results:
        units[r.unit.key] = {"target": r.unit.target, "reads": r.unit.reads, "folder": r.unit.folder,
                             "product": r.unit.product.product.address if r.unit.product else None,
                             "inputs": r.inputs, "files": sorted(r.digests),
                             "diagnostics": diagnostic_records(r.diagnostics, plan.mesh.root)}
    units[INDEX_UNIT] = _index_unit(plan)
    return units


def _manifest_extra(plan: Plan) -> dict[str, Any]:
    """Recorded once per manifest: the mesh digest and every product file's digest."""
    return {"mesh": mesh_digest(plan), "specs": dict(sorted(_spec_digest(plan, pf) for pf in plan.mesh.products))}


def check_results(plan: Plan, results: list[UnitResult]):
    """How the output folder differs from what this build would write (output.TreeDifference);
    writes nothing. A partial build compares only the folders of the units it built."""
    from meshgen.mesh.index import INDEX_FILE
    from meshgen.output import MANIFEST, compare_tree, manifest_digest

    expected = _tree_digests(plan, results, _index_bytes(plan))
    if plan.partial:  # the units built, and the index every build writes
        return compare_tree(plan.output, expected, (*(r.unit.folder for r in results), INDEX_FILE))
    expected[MANIFEST] = manifest_digest(expected, _manifest_units(plan, results), _manifest_extra(plan))
    return compare_tree(plan.output, expected)


def stale_beside(plan: Plan, results: list[UnitResult]) -> list[Path]:
    """Files outside the output (a Protobuf lock) that the build would write anew."""
    from meshgen.output import beside_digest

    recorded = {rel: d for r in results for rel, d in r.inputs.get("beside", {}).items()}
    return sorted(plan.mesh.root / rel for rel, d in recorded.items() if beside_digest(plan.mesh.root / rel) != d)


def write_results(plan: Plan, results: list[UnitResult]) -> Written:
    """Put the staged files in place (plan.staged, an output.StagedOutput: the files of the units
    that ran, and the index when it changed; each product's folder, and `_mesh/`, is replaced as
    a whole, `place_of`), record them in the manifest, then run the work that touches files
    outside the output folder (an action returns the path it wrote, if any)."""
    from meshgen.mesh.index import INDEX_FILE
    from meshgen.output import MANIFEST

    index = _index_bytes(plan)
    files = _tree_digests(plan, results, index)
    changed = {path for r in results if not r.reused for path in r.digests}
    if plan.previous is None or _previous_bytes(plan, INDEX_FILE) != index:
        plan.staged.write({INDEX_FILE: index})  # a rebuild with nothing changed writes nothing, the index included
        changed.add(INDEX_FILE)
    written = plan.staged.commit(files, changed, place_of, units=_manifest_units(plan, results),
                                 extra=_manifest_extra(plan), keep_from_previous=plan.partial,
                                 replace_prefixes=tuple(r.unit.folder for r in results))
    later, beside = [], []
    for r in results:
        before = len(r.diagnostics)
        for action in r.after_write:
            if (path := action()) is not None:
                beside.append(Path(path))
        later.extend(r.diagnostics[before:])
    gone = set(plan.previous.files) - set(files) if plan.previous is not None else set()
    return Written(written, sorted(beside), later, sorted({place_of(rel) for rel in changed | gone} | {MANIFEST}))


INDEX_UNIT = "index@mesh"


def place_of(path: str) -> str:
    """The folder of the output that a file is put in place with, as a whole: its product's
    (`<domain>/<product>/v<major>`), `_mesh` (the mesh units and the index) or the docs site's;
    so a killed build leaves each product's output wholly old or wholly new."""
    parts = path.split("/")
    if parts[0] in (MESH_FOLDER, DOCS_SITE_FOLDER) or len(parts) < 4:
        return parts[0]
    return "/".join(parts[:3])


def _tree_digests(plan: Plan, results: list[UnitResult], index: bytes) -> dict[str, str]:
    """Every file of the new tree with its sha256: the units' and `_mesh/index.json` (`index`,
    which every build publishes)."""
    from meshgen.mesh.index import INDEX_FILE

    files = {path: digest for r in results for path, digest in r.digests.items()}
    files[INDEX_FILE] = _digest(index)
    return files


def _index_bytes(plan: Plan) -> bytes:
    """`_mesh/index.json`, put together from each product's entry, kept between builds in the
    mesh's record (meshgen.mesh.mesh_record): an edit computes the edited product's entry only."""
    from meshgen.mesh.index import index_text
    from meshgen.mesh.mesh_record import MeshRecord

    kept = MeshRecord(plan.mesh)
    index = index_text(plan.mesh, kept.index_entry).encode("utf-8")
    kept.save()
    return index


def _previous_bytes(plan: Plan, rel: str) -> bytes | None:
    """A file of the previous output that still is what its manifest lists (untrusted), or None."""
    from meshgen.output_swap import read_inside

    try:
        data = read_inside(plan.output, rel)
    except OSError:
        return None
    return data if data is not None and _digest(data) == plan.previous.files.get(rel) else None


def _index_unit(plan: Plan) -> dict[str, Any]:
    """The manifest entry of `_mesh/index.json`: written by every build, it reads the whole mesh."""
    from meshgen.mesh.index import INDEX_FILE

    return {"target": "index", "reads": "mesh", "folder": INDEX_FILE, "product": None, "files": [INDEX_FILE],
            "inputs": {"mesh": mesh_digest(plan), "meshgen": meshgen_build()}}


def _inside(folder: str, prefixes: tuple[str, ...]) -> bool:
    return any(folder == p or folder.startswith(p + "/") for p in prefixes)


# ---- input hashes ----------------------------------------------------------------------------

def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def _read_products(mesh: "Mesh", unit: Unit) -> list["ProductFile"]:
    if unit.reads == "mesh" or unit.product is None:
        return list(mesh.products)
    if unit.reads == "product":
        return [unit.product]
    if unit.reads == "neighbours":
        address = unit.product.product.address
        p = unit.product.product
        successor = [p.lifecycle.successor] if p.lifecycle and p.lifecycle.successor else []
        near = sorted({*mesh.graph.parents(address), *mesh.graph.children(address), *successor})
        return [unit.product, *(pf for a in near if a != address and (pf := mesh.get(a)) is not None)]
    upstream = [mesh.get(address) for address in mesh.graph.upstream(unit.product.product.address)]
    return [unit.product, *(pf for pf in upstream if pf is not None)]


def _specs_digest(plan: Plan, unit: Unit) -> str:
    """One digest of the product files a unit reads: the same for the units of every target that
    reads as much of a product (a product has a unit per target), so it is computed once."""
    key = (unit.reads, str(unit.product.path))
    known = plan.read_digests.get(key)
    if known is None:
        known = plan.read_digests[key] = _digest(_canonical(_spec_digests(plan, unit)))
    return known


def _spec_digests(plan: Plan, unit: Unit) -> dict[str, str]:
    """Relative path (to the mesh root) → sha256 of the bytes of every product file the unit reads."""
    return dict(sorted(_spec_digest(plan, pf) for pf in _read_products(plan.mesh, unit)))


def _spec_digest(plan: Plan, pf: "ProductFile") -> tuple[str, str]:
    """(path relative to the mesh root, sha256): of the bytes the load read when it noted them
    (`Mesh.digests`: the bytes the product was loaded from), else of the file's bytes now."""
    known = plan.spec_digests.get(str(pf.path))
    if known is None:
        loaded = plan.mesh.digests.get(str(pf.path))
        known = plan.spec_digests[str(pf.path)] = (_mesh_relative(plan.mesh, Path(pf.path)),
                                                   loaded or _digest(Path(pf.path).read_bytes()))
    return known


def _mesh_relative(mesh: "Mesh", path: Path) -> str:
    try:
        return path.resolve().relative_to(mesh.memo("planner.real_root", lambda: Path(mesh.root).resolve())).as_posix()
    except ValueError:
        return path.name


def mesh_digest(plan: Plan) -> str:
    """One digest of every product file of the mesh (path and bytes): what a mesh-reading unit reads."""
    if plan.mesh_digest is None:
        plan.mesh_digest = _digest(_canonical(sorted(_spec_digest(plan, pf) for pf in plan.mesh.products)))
    return plan.mesh_digest


def _foreign_digest(plan: Plan) -> str:
    """One digest of the products read from other repositories' indexes (their origin and content)."""
    if plan.foreign_digest is None:
        plan.foreign_digest = _digest(_canonical(sorted(
            (fp.origin, fp.product.address, fp.product.model_dump(mode="json")) for fp in plan.mesh.foreign)))
    return plan.foreign_digest


def _config_digest(plan: Plan) -> str:
    """sha256 of meshgen.yaml's bytes ("" without one): every unit reads the mesh's configuration."""
    if plan.config_digest is None:
        from meshgen.mesh.config import CONFIG_FILE
        from meshgen.output import beside_digest

        plan.config_digest = beside_digest(Path(plan.mesh.root) / CONFIG_FILE)
    return plan.config_digest


def unit_diagnostics(results: list[UnitResult]) -> DiagnosticList:
    """Every unit's diagnostics, each once: several targets embed one dataset's schema (the Avro
    file, an AsyncAPI payload, a registry subject) and report the same fact about a field."""
    return DiagnosticList(list(dict.fromkeys(d for r in results for d in r.diagnostics)))


def template_warnings(plan: Plan) -> list[Diagnostic]:
    """TPL003 for the mesh's override folder: a template there that overrides nothing."""
    from meshgen.render import builtin_templates, override_problems
    from meshgen.targets import declared_templates

    if not plan.mesh.config.templates:
        return []
    known = builtin_templates() | set(declared_templates(list(plan.targets)))
    return override_problems(plan.mesh.root / plan.mesh.config.templates, known)
