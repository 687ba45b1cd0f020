"""The public API: every entry point of meshgen. `cli.py` calls only these (and click).

    check           load the mesh and run every checking pass           (`meshgen validate`)
    build           check, plan the units, run them, write atomically   (`meshgen build`)
    build_check     what build would change (stale, missing, extra files), writing nothing (`build --check`)
    check_against   compare the mesh with a git revision                (`meshgen check --against`)
    diff            compare two versions of one product file            (`meshgen diff`)
    changelog       every change between two versions, as text          (`meshgen changelog`)
    rules_in_force  the governance rules with their severity in force   (`meshgen rules`)
    scaffold        a new product that validates as written             (`meshgen init`)
    import_product  a product from an ODCS contract, Avro or SQL DDL    (`meshgen import`)
    schema          the JSON Schema (or the Markdown reference) of dataproduct.yaml
    publish_openmetadata  build the openmetadata requests in memory and send them (`meshgen publish`)
    render_report   diagnostics as text in one of REPORT_FORMATS
    lineage         the mesh's lineage graph as svg, dot, mermaid or json  (`meshgen lineage`)
    docs_build      the mesh's MkDocs project and its HTML                (`meshgen docs build`)
    docs_serve      serve the docs site, regenerated on every change     (`meshgen docs serve`)

Everything heavy is imported inside the functions, so importing this module (and the CLI's
`--help`) stays fast. Errors are raised as `MeshgenError` subclasses carrying diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from meshgen import __version__
from meshgen.diagnostics import Diagnostic, DiagnosticList, Severity, display_path, printable
from meshgen.errors import MeshgenError, UsageError, ViolationsFound
from meshgen.load.collector import FrozenRun

if TYPE_CHECKING:
    from meshgen.contracts.diff import DiffResult
    from meshgen.mesh.model import Mesh

__all__ = [
    "AgainstResult", "BuildCheck", "BuildResult", "CheckResult", "PublishResult", "Diagnostic", "DiagnosticList", "MeshgenError", "REPORT_FORMATS",
    "Severity", "UsageError", "ViolationsFound", "build", "build_check", "changelog", "check", "check_against", "diff", "target_names",
    "__version__", "display_path", "printable", "render_report", "rules_in_force", "scaffold",
    "check_scaffold_answer", "publish_openmetadata", "scaffold_placeholders", "schema", "summary_line", "lineage", "LINEAGE_FORMATS",
    "DocsResult", "docs_build", "docs_serve",
    "IMPORT_FORMATS", "import_product",
]

REPORT_FORMATS = ("human", "json", "sarif", "github")
CHANGELOG_FORMATS = ("markdown", "json")
LINEAGE_FORMATS = ("svg", "dot", "mermaid", "json")


@dataclass
class CheckResult:
    mesh: "Mesh | None"  # None when nothing changed since the last build: replayed, not loaded
    diagnostics: DiagnosticList
    products: int = field(default=0, kw_only=True)  # the products acted on (mesh.selected)


@dataclass
class BuildResult(CheckResult):
    output: Path | None = None
    written: list[str] = field(default_factory=list)
    beside: list[Path] = field(default_factory=list)  # files written outside the output (a Protobuf lock)
    units: int = 0  # units in the plan
    reused: int = 0  # ...of which the previous output already held the files (an incremental build)
    plan: Any = None  # the planner's Plan and UnitResults, for tests and tools
    results: list = field(default_factory=list)


@dataclass
class AgainstResult(CheckResult):
    hidden: int = 0  # informational changes left out (without --all)


def _checking_passes():
    """The passes that read the loaded mesh and report diagnostics, in order: plain callables
    `pass(mesh) -> list[Diagnostic]` that never import the driver or this module."""
    from meshgen.contracts.passes import check_contracts
    from meshgen.governance.engine import check_mesh
    from meshgen.targets.protobuf_lock import check_locks

    return (check_mesh, check_contracts, check_locks)


def _load_and_check(path, output, run: "FrozenRun | None" = None,
                    found=None) -> tuple["Mesh", DiagnosticList, dict[str, str]]:
    """The loaded mesh, the findings of every checking pass that concern the selection (at the
    levels `diagnostics:` in meshgen.yaml sets), and those levels. Product files this meshgen
    loaded before are read back from this user's cache (meshgen.mesh.product_cache). Within `run`,
    the loaded mesh is left out of the garbage collector's scans until the run ends. `found`: the
    mesh's files as a build's fingerprint found them (not looked for again)."""
    from meshgen.mesh.loader import load_mesh
    from meshgen.planner import meshgen_build
    from meshgen.reporting.levels import apply_levels, configured_levels

    mesh, diagnostics = load_mesh(path, output=output, cached=meshgen_build(), found=found)
    if run is not None:
        run.keep()
    found = DiagnosticList(list(diagnostics))
    if not any(d.severity is Severity.ERROR and d.code.startswith(("LOAD", "SPEC", "CONF")) for d in diagnostics):
        for checking_pass in _checking_passes():
            found.extend(checking_pass(mesh))
    levels, problems = configured_levels(mesh)
    return mesh, mesh.concerning(apply_levels(found.items, levels) + problems), levels


def _run_plan(mesh: "Mesh", diagnostics: DiagnosticList, levels: dict[str, str], *, output, targets, strict,
              incremental: bool = True, jobs: int = 1, progress=None, writing=None):
    """Plan the build and run every unit; their findings join `diagnostics`. Nothing is written,
    unless `writing` (an ExitStack) is given: then the output's lock and staging folder are held
    in it and each unit's files are staged as it finishes (planner.write_results puts them in place)."""
    from meshgen import planner
    from meshgen.incremental import output_files
    from meshgen.output import StagedOutput
    from meshgen.reporting.levels import apply_levels

    plan = planner.plan_build(mesh, output=output, targets=targets, strict=strict, incremental=incremental)
    diagnostics.extend(planner.template_warnings(plan))  # TPL003: an override that overrides nothing
    # an incremental build walks the output once: the writer's check of it and every unit's reuse check
    walk = output_files if incremental else None
    staged = writing.enter_context(StagedOutput(plan.output, walk)) if writing is not None else None
    results = planner.execute(plan, jobs, progress, staged)
    # a mesh unit (dbt) reads every product: only what concerns the selected ones is reported
    diagnostics.extend(mesh.concerning(apply_levels(planner.unit_diagnostics(results).items, levels, plan.strict)))
    return plan, results


def check(path: Path | str | None = None, *, output: Path | None = None, targets: list[str] | None = None,
          strict: bool | None = None) -> CheckResult:
    """Everything `build` does except writing: load the mesh, run every checking pass and, when
    no error remains, every unit of the build plan (so `validate` reports what `build` would).
    Raises InputError for unreadable input. When no input changed since the last build into the
    output folder, that build's findings are reported without loading anything (`mesh` None)."""
    from meshgen import incremental as fingerprints, planner

    inputs = fingerprints.build_inputs(path, output, targets, strict, planner.meshgen_build())
    recorded = fingerprints.recorded_findings(inputs) if inputs is not None else None
    if recorded is not None:
        return CheckResult(None, DiagnosticList(recorded[0]), products=recorded[1])
    with FrozenRun() as run:
        mesh, diagnostics, levels = _load_and_check(path, output, run, inputs.found if inputs is not None else None)
        if not diagnostics.has_errors:
            _run_plan(mesh, diagnostics, levels, output=output, targets=targets, strict=strict)
    return CheckResult(mesh, diagnostics, products=len(mesh.selected))


def build(path: Path | str | None = None, *, output: Path | None = None, targets: list[str] | None = None,
          strict: bool | None = None, incremental: bool = True, jobs: int = 1, progress=None) -> BuildResult:
    """Check the mesh and, when no error remains, run every unit of the build plan and write
    their artifacts atomically. Only the units built replace their folders of the output. A unit
    whose inputs did not change since the build that wrote the output is not run again: its files
    are taken from the previous output (`incremental=False` runs every unit). When no input of the
    build changed at all and the output is intact, nothing is loaded, checked or written: the
    result replays the previous build's findings, with `mesh` and `plan` None. `jobs` > 1 runs
    the units in that many processes (the same output); `progress(done, total)` follows them."""
    from contextlib import ExitStack

    from meshgen import incremental as fingerprints, planner
    from meshgen.reporting.levels import apply_levels

    inputs = fingerprints.build_inputs(path, output, targets, strict, planner.meshgen_build())
    replay = fingerprints.unchanged_build(inputs) if incremental and inputs is not None else None
    if replay is not None:
        return BuildResult(None, DiagnosticList(replay.diagnostics), inputs.out, replay.files, [], replay.units,
                           replay.units, products=replay.products)
    with ExitStack() as writing:  # the output's lock and staging folder, from the first unit to the last write
        mesh, diagnostics, levels, plan, results = _planned_build(path, output, targets, strict, incremental, jobs,
                                                                  progress, writing, inputs.found if inputs else None)
        replayable = list(diagnostics)  # what the next build replays if nothing changes (no work after the write)
        written = planner.write_results(plan, results)
        # the next build reads only the files changed since; this one walked the output already
        walked = plan.previous.found if plan.previous is not None else None
        fingerprints.record_output_files(plan.output, walked, written.replaced if walked is not None else None)
    diagnostics.extend(apply_levels(written.diagnostics, levels))
    if inputs is not None:
        inputs.requires = plan.requires
        beside = {rel: digest for r in results for rel, digest in r.inputs.get("beside", {}).items()}
        fingerprints.record_build(inputs, replayable, len(mesh.selected), len(plan.units), beside)
    return BuildResult(mesh, diagnostics, plan.output, written.files, written.beside, len(plan.units), plan.reused,
                       plan, results, products=len(mesh.selected))


@dataclass
class BuildCheck(CheckResult):
    output: Path | None = None
    stale: list[str] = field(default_factory=list)  # paths inside the output (beside: shown paths)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return not (self.stale or self.missing or self.extra)


def build_check(path: Path | str | None = None, *, output: Path | None = None, targets: list[str] | None = None,
                strict: bool | None = None, jobs: int = 1, progress=None) -> BuildCheck:
    """What `build` would change, writing nothing (`meshgen build --check`): the output's files
    that are stale (other bytes; a Protobuf lock beside a product counts), missing or extra. When
    no input changed since the last build and the output is still what it wrote, it is up to date
    and that build's findings are reported, nothing loaded (`mesh` None)."""
    from meshgen import incremental as fingerprints, planner

    inputs = fingerprints.build_inputs(path, output, targets, strict, planner.meshgen_build())
    replay = fingerprints.unchanged_build(inputs) if inputs is not None else None
    if replay is not None:
        return BuildCheck(None, DiagnosticList(replay.diagnostics), inputs.out, products=replay.products)
    mesh, diagnostics, _levels, plan, results = _planned_build(path, output, targets, strict, True, jobs, progress,
                                                               found=inputs.found if inputs else None)
    difference = planner.check_results(plan, results)
    stale_beside = [display_path(p) for p in planner.stale_beside(plan, results)]
    return BuildCheck(mesh, diagnostics, plan.output, difference.stale + stale_beside, difference.missing,
                      difference.extra, products=len(mesh.selected))


def _planned_build(path, output, targets, strict, incremental, jobs, progress, writing=None, found=None):
    """Load, check and run every unit of the plan; ViolationsFound when an error remains."""
    with FrozenRun() as run:
        mesh, diagnostics, levels = _load_and_check(path, output, run, found)
        if diagnostics.has_errors:
            raise ViolationsFound("the mesh has errors; nothing was written", diagnostics.sorted())
        plan, results = _run_plan(mesh, diagnostics, levels, output=output, targets=targets, strict=strict,
                                  incremental=incremental, jobs=jobs, progress=progress, writing=writing)
    if diagnostics.has_errors:
        raise ViolationsFound("a target could not express the mesh; nothing was written", diagnostics.sorted())
    return mesh, diagnostics, levels, plan, results


def check_against(path: Path | str | None, ref: str, *, show_info: bool = False) -> AgainstResult:
    """`meshgen check --against REF`: load the mesh and compare it with REF (read from git)."""
    from meshgen.contracts.passes import compare_with_revision
    from meshgen.mesh.loader import load_mesh
    from meshgen.reporting.levels import apply_levels, configured_levels

    mesh, diagnostics = load_mesh(path)
    levels, problems = configured_levels(mesh)
    found = DiagnosticList(list(diagnostics) + problems)
    findings, changes = compare_with_revision(mesh, ref)
    found.extend(apply_levels(findings, levels))
    concerning = mesh.concerning(apply_levels(changes, levels)).items
    shown = concerning if show_info else [d for d in concerning if d.severity > Severity.INFO]
    found.extend(shown)
    return AgainstResult(mesh, mesh.concerning(found), len(concerning) - len(shown))


def diff(old: str, new: str, *, show_info: bool = True, ignore: tuple[str, ...] = ()) -> "DiffResult":
    """Compare two versions of a product file (a path, or REV:path from git)."""
    from meshgen.contracts.diff import diff as compare_files

    return compare_files(old, new, show_info=show_info, ignore=ignore)


def changelog(old: str, new: str, *, fmt: str = "markdown") -> str:
    """Every change between two versions of a product file, classified, as Markdown or JSON."""
    from meshgen.contracts.changelog import changelog_json, changelog_markdown
    from meshgen.contracts.diff import load_version

    if fmt not in CHANGELOG_FORMATS:
        raise UsageError(f"unknown changelog format {fmt!r}: use {' or '.join(CHANGELOG_FORMATS)}")
    pair = (load_version(old), load_version(new))
    return (changelog_json if fmt == "json" else changelog_markdown)(*pair)


def target_names() -> list[str]:
    """Every target a build can name: built-in and installed plugins, sorted."""
    from meshgen.targets import available_targets

    return sorted(available_targets())


def rules_in_force(path: Path | str | None = None, domain: str | None = None) -> list[dict]:
    """Every governance rule with its severity in force for the mesh at `path` (and `domain`)."""
    from meshgen.governance.engine import rules_in_force as rules

    return rules(path, domain)


def scaffold(directory: Path | str, *, domain: str, name: str, owner_team: str, dataset: str,
             owner_email: str = "", purpose: str = "", force: bool = False) -> Path:
    """Write `<directory>/<domain>/<name>/v1/dataproduct.yaml`; returns its path."""
    from meshgen.scaffolding import ScaffoldRequest, scaffold as write_product

    request = ScaffoldRequest(domain=domain, name=name, owner_team=owner_team, dataset=dataset,
                              owner_email=owner_email, purpose=purpose)
    return write_product(Path(directory), request, force=force)


def check_scaffold_answer(label: str, value: str) -> str:
    """One `meshgen init` answer (`domain`, `name`, `owner-team`, `owner-email`, `dataset`,
    `purpose`) checked on its own: the cleaned value, or ValueError saying what is wrong."""
    from meshgen.scaffolding import check_answer

    return check_answer(label, value)


def scaffold_placeholders(*, domain: str, name: str, owner_team: str) -> dict[str, str]:
    """What `meshgen init` writes for an owner e-mail and purpose not given: placeholders that
    governance reports (OWN001, DOC001) until they are replaced."""
    from meshgen.scaffolding import placeholder_email, placeholder_purpose

    return {"owner-email": placeholder_email(owner_team), "purpose": placeholder_purpose(domain, name)}


IMPORT_FORMATS = ("odcs", "avro", "sql")


def import_product(fmt: str, files: Iterable[Path | str], *, output: Path | str | None = None, force: bool = False,
                   domain: str | None = None, name: str | None = None, version: str | None = None,
                   owner_team: str | None = None, owner_email: str | None = None, dialect: str | None = None):
    """A dataproduct.yaml from `files` in format `fmt` (one of IMPORT_FORMATS): an ImportResult
    (`.text`, `.product`, `.diagnostics` positioned in the sources); written atomically to
    `output` when given (an existing file only with `force`)."""
    from meshgen.importers import ImportOptions, import_product as read_sources, write_product

    options = ImportOptions(domain=domain, name=name, version=version, owner_team=owner_team,
                            owner_email=owner_email, dialect=dialect)
    result = read_sources(fmt, [Path(f) for f in files], options)
    if output is not None:
        write_product(result.text, Path(output), force=force)
    return result


def schema(*, markdown: bool = False, output: Path | None = None) -> str:
    """The JSON Schema of dataproduct.yaml (or with `markdown`, the key-by-key reference);
    written atomically to `output` when given. Returns the text."""
    if markdown:
        from meshgen.model.reference import reference_markdown

        text = reference_markdown()
    else:
        from meshgen.model.jsonschema import product_json_schema_text

        text = product_json_schema_text()
    if output is not None:
        from meshgen.output import write_file_atomic

        write_file_atomic(Path(output), text)
    return text


@dataclass
class PublishResult(CheckResult):
    requests: list = field(default_factory=list)  # meshgen.publish.openmetadata.Request, in the order sent
    sent: list = field(default_factory=list)  # their Responses (none on a dry run)


def publish_openmetadata(path: Path | str | None, *, server: str, token_env: str, dry_run: bool = False,
                         report=print, bodies: bool = False) -> PublishResult:
    """Check the mesh, run the openmetadata target in memory (the bytes `build -t openmetadata`
    writes, never an older build's) and PUT every request to `server` in dependency order with the
    bearer token read from the environment variable `token_env`; `report` gets one line per entity.
    A dry run reports what would be sent (with `bodies`, each body) and needs no token."""
    import os

    from meshgen.publish import openmetadata as om

    mesh, diagnostics, levels = _load_and_check(path, None)
    if diagnostics.has_errors:
        raise ViolationsFound("the mesh has errors; nothing was sent", diagnostics.sorted())
    _, results = _run_plan(mesh, diagnostics, levels, output=None, targets=["openmetadata"], strict=None)
    if diagnostics.has_errors:
        raise ViolationsFound("the openmetadata target could not express the mesh; nothing was sent", diagnostics.sorted())
    requests = om.requests_from({path: text for r in results for path, text in r.files.items()})
    if dry_run:
        om.dry_run(requests, server, report, bodies=bodies)
        return PublishResult(mesh, diagnostics, requests)
    token = os.environ.get(token_env, "")
    if not token:
        raise UsageError(f"the environment variable {token_env} is {'empty' if token_env in os.environ else 'not set'}:"
                         " it must hold the OpenMetadata token (a bot's JWT) that --token-env names")
    return PublishResult(mesh, diagnostics, requests, om.send_all(requests, server, token, report))


def test_data(path: Path | str | None, connection: str, *, tables: dict[str, str] | None = None,
              create: bool = False, products: list[str] | None = None):
    """Run the products' quality checks against live data (`meshgen test`): a TestRun."""
    from meshgen.testing.runner import run_tests

    return run_tests(path, connection, tables=tables, create=create, products=products)


def render_test_run(run, fmt: str) -> str:
    """A TestRun as human text, json or junit XML."""
    from meshgen.testing.report import render

    return render(run, fmt)


def summary_line(diagnostics: DiagnosticList) -> str:
    """`2 errors, 1 warning` (with the codes when the list is long)."""
    from meshgen.reporting.human import summary_line as line

    return line(diagnostics)


def render_report(diagnostics: Iterable[Diagnostic], fmt: str, *, color: bool = False, verbose: bool = False) -> str:
    """Diagnostics as text in one of REPORT_FORMATS."""
    from meshgen.reporting import render

    return render(diagnostics, fmt, color=color, verbose=verbose)


def lineage(path: Path | str | None = None, *, fmt: str = "svg", product: str | None = None,
            domain: str | None = None, depth: int = 1, output: Path | None = None) -> str:
    """The lineage graph of the mesh at `path` (the whole mesh, one `domain`, or one `product`
    with `depth` steps up- and downstream; 0: no limit) as text in one of LINEAGE_FORMATS;
    written atomically to `output` when given. Nodes link to the product pages: absolute with
    `site_url` in meshgen.yaml, else relative to the site's root. A mesh whose products read
    each other in a circle (MESH006) is drawn all the same."""
    import difflib
    from urllib.parse import quote

    from meshgen.lineage import Lineage, render
    from meshgen.mesh.links import product_page_path
    from meshgen.mesh.loader import load_mesh

    if product and domain:
        raise UsageError("give --product or --domain, not both")
    mesh, diagnostics = load_mesh(path)
    unreadable = [d for d in diagnostics if d.severity is Severity.ERROR and d.code.startswith(("LOAD", "SPEC", "CONF"))]
    if unreadable:  # a product that did not load would be missing from the picture (a cycle, MESH006, is drawn)
        raise ViolationsFound("some product files do not load; no lineage was drawn", DiagnosticList(unreadable).sorted())
    graph = Lineage.of(mesh)
    known = {"product": sorted(graph.nodes), "domain": sorted({n.domain for n in graph.nodes.values()})}
    for kind, wanted in (("product", product), ("domain", domain)):
        if wanted and wanted not in known[kind]:
            close = difflib.get_close_matches(wanted, known[kind], n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"no {kind} {wanted!r} in the mesh{hint}")
    view = graph.product_view(product, depth) if product else graph.domain_view(domain) if domain else graph.mesh_view()
    site = (mesh.config.site_url or "").rstrip("/")

    def href(node) -> str:
        page = product_page_path(node.id) if node.kind == "product" else f"domains/{node.domain}/"
        return (site + "/" if site else "") + quote(page, safe="/")

    text = render(view, fmt, href=href)
    if output is not None:
        from meshgen.output import write_file_atomic

        write_file_atomic(Path(output), text)
    return text
@dataclass
class DocsResult(CheckResult):
    project: Path | None = None  # the MkDocs project folder (mkdocs.yml, docs/)
    site: Path | None = None  # the built HTML (None with html=False)
    files: int = 0  # files written
    mkdocs_output: str = ""  # MkDocs' warnings, if any


def docs_build(path: Path | str | None = None, *, output: Path | None = None, html: bool = True,
               strict: bool = False) -> DocsResult:
    """Check the mesh, then write its docs site: the MkDocs project at `<mesh output>/docs/` (or
    `output`) and, with `html`, MkDocs' build of it in `site/` beside mkdocs.yml. `html=False`
    needs only the core install. `strict`: MkDocs' warnings are errors."""
    from meshgen.docsite import write_docs

    mesh, diagnostics, _ = _load_and_check(path, None)
    if diagnostics.has_errors:
        raise ViolationsFound("the mesh has errors; no docs were written", diagnostics.sorted())
    written = write_docs(mesh, output, html=html, strict=strict)
    return DocsResult(mesh, diagnostics, written.project, written.site, len(written.files), written.mkdocs_output)


def docs_serve(path: Path | str | None = None, *, port: int = 8000, on_ready=None, on_problem=None,
               poll_seconds: float = 0.5, stop=None) -> None:
    """Serve the docs site on 127.0.0.1:`port` with MkDocs until interrupted; regenerate the
    project whenever a product file, meshgen.yaml or a template override changes (MkDocs then
    rebuilds and reloads the browser). `on_ready(url)` is called once the site answers,
    `on_problem(diagnostics)` when a change leaves the mesh with errors (the last good site stays);
    setting the threading.Event `stop` ends it (for serving from a thread)."""
    from meshgen.docsite.mkdocs_build import mkdocs_command
    from meshgen.docsite.serve import serve

    mkdocs_command()  # MkDocs missing: say so before loading anything
    serve(Path(path) if path is not None else None, port=port, on_ready=on_ready, on_problem=on_problem,
          poll_seconds=poll_seconds, stop=stop, load=lambda: _load_and_check(path, None)[:2])
