"""The build planner: which units a build runs, what each reads and writes, and where.

A unit is one target over one product (`scope = "product"`) or one target over the whole mesh
(`scope = "mesh"`). Each target declares what a unit reads (`reads`: the product, its upstream
closure, or the whole mesh); the planner hashes exactly those inputs, plus the target's
configuration, the templates the unit rendered and the meshgen version, into the output
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

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from meshgen import __version__
from meshgen.diagnostics import Diagnostic, DiagnosticList, Location, Severity
from meshgen.errors import UsageError, ViolationsFound

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh
    from meshgen.model.loader import ProductFile
    from meshgen.render import TemplateRenderer

MESH_FOLDER = "_mesh"
DOCS_SITE_FOLDER = "docs"
READS = ("product", "upstream", "mesh")


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

    @property
    def key(self) -> str:
        return f"{self.target}@{self.product.product.address if self.product else 'mesh'}"

    @property
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


@dataclass
class UnitResult:
    unit: Unit
    files: dict[str, str]  # path inside the output folder → text
    diagnostics: list[Diagnostic]
    inputs: dict[str, Any]
    after_write: list[Callable[[], None]] = field(default_factory=list)


def plan_build(mesh: "Mesh", *, output: Path | None = None, targets: list[str] | None = None,
               strict: bool | None = None) -> Plan:
    """Every unit the build runs. An unknown target name or bad target options raise."""
    from meshgen.render import renderer_for
    from meshgen.targets import available_targets, load_target

    known = available_targets()
    options = mesh.config.target_options()
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
                mesh.config.strict if strict is None else strict, partial)


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
        if template_name not in self.digests:
            env = self.renderer.env
            self.digests[template_name] = _digest(env.loader.get_source(env, template_name)[0].encode("utf-8"))
        self.used[template_name] = self.digests[template_name]
        return text


def run_unit(plan: Plan, unit: Unit) -> UnitResult:
    """Run one unit: its artifacts under its folder, its diagnostics, the inputs it read."""
    from meshgen.targets.base import TargetContext

    cls, options = plan.targets[unit.target]
    renderer = _RecordingRenderer(plan.renderer, plan.template_digests)
    context = TargetContext(mesh=plan.mesh, renderer=renderer, strict=plan.strict, layout=layout())
    target = cls(context, options)
    artifacts = target.generate_mesh() if unit.product is None else target.generate(unit.product)
    files = {f"{unit.folder}/{a.path}": a.content for a in artifacts}
    inputs = {"specs": _spec_digests(plan, unit), "config": _digest(_canonical(
              {"options": options.model_dump(mode="json"), "strict": plan.strict})),
              "templates": dict(sorted(renderer.used.items())), "meshgen": __version__}
    # context.diagnostics itself: work run after the write may still report into it
    return UnitResult(unit, files, context.diagnostics, inputs, list(context.after_write))


def execute(plan: Plan) -> list[UnitResult]:
    """Run every unit of the plan, in order (serially: units share nothing, so a parallel
    executor can replace this loop)."""
    return [run_unit(plan, unit) for unit in plan.units]


@dataclass
class Written:
    files: list[str]  # paths inside the output folder
    beside: list[Path]  # files written outside it by work run after the write (a Protobuf lock)
    diagnostics: list[Diagnostic]  # what that work reported


def write_results(plan: Plan, results: list[UnitResult]) -> Written:
    """Write the units' files atomically (output.write_tree), record them in the manifest, then
    run the work that touches files outside the output folder (an action returns the path it
    wrote, if any)."""
    from meshgen.mesh.index import INDEX_FILE, index_text
    from meshgen.output import read_manifest_units, write_tree

    files = {path: text for r in results for path, text in r.files.items()}
    files[INDEX_FILE] = index_text(plan.mesh)  # every build publishes the whole mesh's index (docs/polyrepo.md)
    replaced = tuple(r.unit.folder for r in results)
    units = read_manifest_units(plan.output) if plan.partial else {}
    units = {k: v for k, v in units.items() if not _inside(v.get("folder", ""), replaced)}
    for r in results:
        units[r.unit.key] = {"target": r.unit.target, "reads": r.unit.reads, "folder": r.unit.folder,
                             "product": r.unit.product.product.address if r.unit.product else None,
                             "inputs": r.inputs, "files": sorted(r.files)}
    units[INDEX_UNIT] = _index_unit(plan)
    written = write_tree(plan.output, files, keep_from_previous=plan.partial, replace_prefixes=replaced,
                         units=units)
    later, beside = [], []
    for r in results:
        before = len(r.diagnostics)
        for action in r.after_write:
            if (path := action()) is not None:
                beside.append(Path(path))
        later.extend(r.diagnostics[before:])
    return Written(written, sorted(beside), later)


INDEX_UNIT = "index@mesh"


def _index_unit(plan: Plan) -> dict[str, Any]:
    """The manifest entry of `_mesh/index.json`: written by every build, it reads the whole mesh."""
    from meshgen.mesh.index import INDEX_FILE

    return {"target": "index", "reads": "mesh", "folder": INDEX_FILE, "product": None, "files": [INDEX_FILE],
            "inputs": {"specs": _spec_digests(plan, Unit("index", None, "mesh")), "meshgen": __version__}}


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
    upstream = [mesh.get(address) for address in mesh.graph.upstream(unit.product.product.address)]
    return [unit.product, *(pf for pf in upstream if pf is not None)]


def _spec_digests(plan: Plan, unit: Unit) -> dict[str, str]:
    """Relative path (to the mesh root) → sha256 of the bytes of every product file the unit reads."""
    out = {}
    for pf in _read_products(plan.mesh, unit):
        known = plan.spec_digests.get(str(pf.path))
        if known is None:
            try:
                rel = Path(pf.path).resolve().relative_to(Path(plan.mesh.root).resolve()).as_posix()
            except ValueError:
                rel = Path(pf.path).name
            known = plan.spec_digests[str(pf.path)] = (rel, _digest(Path(pf.path).read_bytes()))
        out[known[0]] = known[1]
    return dict(sorted(out.items()))


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
