"""The command line: a thin layer over meshgen.api, the only meshgen module it imports.

Exit codes (one place maps errors to them, `_finish`):
  0  clean (warnings allowed unless --fail-on warning)
  1  violations found: the input was read, and breaks the spec, the mesh, governance or a contract
     (or a catalog server refused a request of `meshgen publish`)
  2  usage error, or input that cannot be read or parsed (or a server that cannot be reached)
  3  internal error: a bug in meshgen (please report it)
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from pathlib import Path

import click

from meshgen import api

FORMAT_NAMES = list(api.REPORT_FORMATS)


def _flag(name: str) -> bool:
    """A flag remembered on the root context (--verbose, --quiet, --no-color), given before or after the command."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().meta.get(f"meshgen.{name}"))


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and not _flag("no_color")


def _status(text: str) -> None:
    """A progress or summary line (stderr); --quiet leaves it out."""
    if text and not _flag("quiet"):
        click.echo(text, err=True)


def _emit(diagnostics, fmt: str, err: bool = False) -> None:
    if fmt == "human" and _flag("quiet"):  # only what needs acting on
        diagnostics = [d for d in diagnostics if d.severity >= api.Severity.WARNING]
    text = api.render_report(diagnostics, fmt, color=_color() and not err, verbose=_flag("verbose"))
    if text:
        click.echo(text.rstrip("\n"), err=err)


def _finish(diagnostics, fmt: str, fail_on: str, exit_code: int | None = None, quiet_ok: str = "",
            err: bool = False) -> None:
    """Print the diagnostics (on stderr with `err`: stdout carries a result) and exit with the documented code."""
    found = diagnostics if isinstance(diagnostics, api.DiagnosticList) else api.DiagnosticList(list(diagnostics))
    _emit(found.sorted(), fmt, err)
    if fmt == "human":
        if found.active():
            _status("\n" + api.summary_line(found))
        if quiet_ok and exit_code in (None, 0):
            _status(api.printable(quiet_ok))
    if exit_code is None:
        if fail_on == "never":
            exit_code = 0
        elif found.has_errors:
            exit_code = 1
        elif fail_on == "warning" and found.count(api.Severity.WARNING):
            exit_code = 1
        else:
            exit_code = 0
    sys.exit(exit_code)


def _run(fmt: str, fail_on: str, action):
    """Run `action`; map MeshgenError to its diagnostics and exit code."""
    try:
        return action()
    except api.MeshgenError as exc:
        diags = exc.diagnostics
        if not diags:
            click.echo(f"meshgen: {api.printable(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        code = exc.exit_code if (exc.exit_code != 1 or fail_on != "never") else 0
        _finish(diags, fmt, fail_on, exit_code=code)


_format_choice = click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="human", show_default=True,
                              help="How to print diagnostics.")


def _remembered_flag(name: str, *decls: str, help: str):
    def remember(ctx: click.Context, _param, value: bool) -> None:
        if value:
            ctx.find_root().meta[f"meshgen.{name}"] = True

    return click.option(*decls, is_flag=True, expose_value=False, callback=remember, help=help)


_verbose_flag = _remembered_flag("verbose", "-v", "--verbose",
                                 help="Human output: show every finding (by default at most 3 warnings of one code, then a "
                                      "count, and notes counted per target).")
_quiet_flag = _remembered_flag("quiet", "-q", "--quiet",
                               help="Print only what needs acting on: no summary or progress lines, no notes.")
_no_color_flag = _remembered_flag("no_color", "--no-color", help="No colors (also when NO_COLOR is set).")


def output_options(command):
    """--quiet and --no-color: on the group and on every command."""
    return _quiet_flag(_no_color_flag(command))


def format_option(command):
    """--format, --verbose for the human format, --quiet and --no-color."""
    return _format_choice(_verbose_flag(output_options(command)))


def _known_targets(_ctx, _param, names: tuple[str, ...]) -> tuple[str, ...]:
    """-t NAME: a name no target has is a usage error at the command line (exit 2)."""
    if not names:
        return names
    import difflib

    known = api.target_names()
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            raise click.BadParameter(f"unknown target {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                                     + f" (available: {', '.join(known)})")
    return names


target_option = click.option("-t", "--target", "targets", multiple=True, callback=_known_targets,
                             help="Only this target (repeatable).")
strict_option = click.option("--strict/--no-strict", default=None,
                             help="What a target cannot express is an error, not a note.")
fail_on_option = click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error",
                              show_default=True, help="Which findings make the exit code 1.")
path_argument = click.argument("path", required=False, type=click.Path(path_type=Path))


class _Commands(click.Group):
    """The command group. A broken pipe on stdout (`meshgen ... | head -1`) is an environment
    failure like a full disk (`_environment_failure`: a message, exit 2); click's own handling
    would exit 1 without a word, and a CI pipeline could not tell that the output is incomplete."""

    def make_context(self, *args, **kwargs) -> click.Context:  # --help and --version print here
        with _reporting_broken_pipes():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        with _reporting_broken_pipes():
            return super().invoke(ctx)


@contextlib.contextmanager
def _reporting_broken_pipes():
    try:
        yield
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        _environment_failure(exc)


def _go_offline(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        os.environ["MESHGEN_OFFLINE"] = "1"  # read where indexes are fetched (meshgen.mesh.remote, docs/polyrepo.md)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(api.__version__, "--version", prog_name="meshgen")
@click.option("--offline", is_flag=True, expose_value=False, callback=_go_offline,
              help="Read other repositories' https:// indexes (`indexes:`) from the cache only (MESHGEN_OFFLINE=1).")
@output_options
def cli() -> None:
    """meshgen: a compiler for data products.

    PATH is a mesh folder (with or without meshgen.yaml), a folder inside one, or a single
    dataproduct.yaml. Without it, commands act on the whole mesh of the current folder.
    """


@cli.command()
@path_argument
@target_option
@strict_option
@format_option
@fail_on_option
def validate(path: Path | None, targets: tuple[str, ...], strict: bool | None, fmt: str, fail_on: str) -> None:
    """Everything `build` does (every check, every target's findings) without writing anything."""
    result = _run(fmt, fail_on, lambda: api.check(path, targets=list(targets) or None, strict=strict))
    n = result.products
    _finish(result.diagnostics, fmt, fail_on, quiet_ok=f"checked {n} product{'s' if n != 1 else ''}")


@cli.command()
@path_argument
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output folder (default: the mesh's `output`).")
@target_option
@strict_option
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; list the output's stale, missing and extra files and exit 1 unless it is up to date.")
@click.option("--no-incremental", is_flag=True, help="Run every unit, even those whose inputs did not change.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes that run the build's units (default: the number of cores).")
@format_option
@fail_on_option
def build(path: Path | None, output: Path | None, targets: tuple[str, ...], strict: bool | None, check_only: bool,
          no_incremental: bool, jobs: int | None, fmt: str, fail_on: str) -> None:
    """Check the mesh and write every target's artifacts (only what changed since the last build)."""
    jobs = jobs or _cores()
    if check_only:
        _build_check(path, output, targets, strict, jobs, fmt, fail_on)
    with _ProgressBar() as progress:
        result = _run(fmt, fail_on, lambda: api.build(path, output=output, targets=list(targets) or None, strict=strict,
                                                      incremental=not no_incremental, jobs=jobs, progress=progress))
    n = result.products
    for written in result.beside:
        _status(f"wrote {api.display_path(written)} beside its product: commit it with the product")
    unchanged = f" ({result.reused} of {result.units} units unchanged)" if result.reused else ""
    _finish(result.diagnostics, fmt, fail_on, quiet_ok=f"built {n} product{'s' if n != 1 else ''}: "
                                                       f"{len(result.written)} files in {api.display_path(result.output)}{unchanged}")


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _ProgressBar:
    """`units done/total` on stderr for a build that runs over a second, redrawn in place; only on
    a terminal (never when piped, in CI or with --quiet), and erased when the build ends."""

    WIDTH = 30

    def __init__(self):
        import time

        self.clock = time.monotonic
        self.started = self.clock()
        self.shown = False
        self.on = sys.stderr.isatty() and not os.environ.get("CI") and not _flag("quiet")

    def __call__(self, done: int, total: int) -> None:
        if not self.on or total <= 0 or self.clock() - self.started < 1.0:
            return
        filled = self.WIDTH * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} units")
        sys.stderr.flush()
        self.shown = True

    def __enter__(self) -> "_ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _build_check(path, output, targets, strict, jobs: int, fmt: str, fail_on: str) -> None:
    """`build --check`: one line per file that differs (stdout), exit 1 unless up to date."""
    result = _run(fmt, fail_on, lambda: api.build_check(path, output=output, targets=list(targets) or None,
                                                        strict=strict, jobs=jobs))
    for kind in ("stale", "missing", "extra"):
        for rel in getattr(result, kind):
            click.echo(api.printable(f"{kind}: {rel}"), err=fmt != "human")
    shown = api.display_path(result.output)
    if result.up_to_date:
        _finish(result.diagnostics, fmt, fail_on, quiet_ok=f"{shown} is up to date", err=fmt != "human")
    counts = ", ".join(f"{len(getattr(result, k))} {k}" for k in ("stale", "missing", "extra") if getattr(result, k))
    _status(f"{shown} is not up to date ({counts}): run `meshgen build` and commit the result")
    _finish(result.diagnostics, fmt, fail_on, exit_code=1, err=fmt != "human")


@cli.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--domain", help="The domain that owns the product (snake_case).")
@click.option("--name", help="The product's name (snake_case).")
@click.option("--owner-team", help="The owning team.")
@click.option("--owner-email", default="", help="The team's contact e-mail (default: a placeholder that OWN001 reports).")
@click.option("--dataset", help="The first dataset's name (default: the product's name).")
@click.option("--purpose", default="", help="One sentence: why the product exists (default: a TODO that DOC001 reports).")
@click.option("--no-input", is_flag=True, help="Never prompt; fail if a required value is missing.")
@click.option("--force", is_flag=True, help="Overwrite an existing product file.")
@output_options
def init(directory: Path, domain, name, owner_team, owner_email, dataset, purpose, no_input: bool, force: bool) -> None:
    """Scaffold a new product in DIRECTORY/<domain>/<name>/v1/ (DIRECTORY/<name>/v1/ in its domain folder)."""

    def ask(value, label, default=None):
        if value:
            return value
        if no_input:  # a value missing (or given empty) is refused by api.scaffold: INIT001 at the command line
            return default or ""

        def checked(answer: str) -> str:  # a bad answer is reported and asked again
            try:
                return api.check_scaffold_answer(label, answer)
            except ValueError as exc:
                raise click.BadParameter(str(exc)) from None

        return click.prompt(label.replace("-", " "), default=default, value_proc=checked)

    domain = ask(domain, "domain")
    name = ask(name, "name")
    owner_team = ask(owner_team, "owner-team", f"{domain}-team")
    placeholders = api.scaffold_placeholders(domain=domain, name=name, owner_team=owner_team)
    owner_email = ask(owner_email, "owner-email", placeholders["owner-email"])
    dataset = ask(dataset, "dataset", name)
    purpose = ask(purpose, "purpose", placeholders["purpose"])
    target = _run("human", "error", lambda: api.scaffold(
        directory, domain=domain, name=name, owner_team=owner_team, dataset=dataset, owner_email=owner_email,
        purpose=purpose, force=force))
    click.echo(f"created {api.display_path(target)}")
    _status(f"next: edit it, then run `meshgen validate {api.display_path(target.parent)}`")


@cli.group("import")
def import_group() -> None:
    """Write a dataproduct.yaml from an ODCS contract, Avro schemas or SQL DDL (docs/import.md).

    What the spec cannot carry is a warning at the source's line and column. The owner e-mail
    and purpose are placeholders that governance reports until you replace them."""


def _import_command(source_format: str, summary: str, extra=()):
    def command(files, output, force, fmt, fail_on, **identity) -> None:
        result = _run(fmt, fail_on, lambda: api.import_product(source_format, files, output=output, force=force,
                                                               **identity))
        if output is None:
            click.echo(result.text, nl=False)
        where = api.display_path(output) if output is not None else "standard output"
        _finish(api.DiagnosticList(result.diagnostics), fmt, fail_on,
                quiet_ok=f"imported {len(result.product['datasets'])} dataset"
                         f"{'s' if len(result.product['datasets']) != 1 else ''} to {where}; "
                         "next: `meshgen validate` (the header of the spec names any placeholder to replace)",
                err=output is None)

    command.__doc__ = summary
    decorators = [
        import_group.command(source_format),
        click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the spec to this file (atomically) instead of standard output."),
        click.option("--force", is_flag=True, help="Overwrite the -o file if it exists."),
        click.option("--domain", help="The product's domain (default: from the source)."),
        click.option("--name", help="The product's name (default: from the source)."),
        click.option("--version", help="The product's version (default: from the source, else 1.0.0)."),
        click.option("--owner-team", help="The owning team (default: from the source, else <domain>-team)."),
        click.option("--owner-email", help="The team's e-mail (default: from the source, else a placeholder)."),
        *extra, format_option, fail_on_option,
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


_import_command("odcs", "Import an ODCS v3 data contract (YAML): its schema objects become datasets.")
_import_command("avro", "Import Avro record schemas (.avsc): each file becomes a dataset.")
_import_command("sql", "Import CREATE TABLE statements: each table becomes a dataset (needs meshgen[import]).",
                (click.option("--dialect", help="The SQL dialect: postgres, snowflake, bigquery, databricks, duckdb, "
                                                "redshift, or any sqlglot dialect such as tsql or mysql (default: "
                                                "the one a meshgen-generated file names)."),))


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout.")
@click.option("--markdown", is_flag=True, help="Print the key-by-key reference (docs/spec-reference.md) instead.")
@output_options
def schema(output: Path | None, markdown: bool) -> None:
    """Print the JSON Schema of dataproduct.yaml (for editors and CI)."""
    text = _run("human", "error", lambda: api.schema(markdown=markdown, output=output))
    if output is None:
        click.echo(text, nl=False)


@cli.command("rules")
@path_argument
@click.option("--domain", help="Show the policy in force for this domain (with its governance.yaml).")
@_format_choice
@output_options
def rules_command(path: Path | None, domain: str | None, fmt: str) -> None:
    """List every governance rule: code, severity in force, name and what it checks.

    `--format sarif` gives the rules as a SARIF tool description (no results); `github` has no
    findings to annotate and prints nothing."""
    import json

    rows = _run(fmt, "error", lambda: api.rules_in_force(path, domain))
    if fmt in ("sarif", "github"):
        _emit([], fmt)
        return
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, sort_keys=True))
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        click.echo(f"{r['code']:<8} {r['severity']:<8} {r['name']:<{width}}  {r['summary']}")


# ---- contracts: diff, check --against, changelog --------------------------------------------

@cli.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--all", "show_info", is_flag=True, help="Also list informational changes (additions, docs).")
@format_option
@fail_on_option
def diff_command(old: str, new: str, show_info: bool, fmt: str, fail_on: str) -> None:
    """Compare two versions of a product file (a path, or REV:path from git).

    Exit 1 when a change breaks the previous version's `compatibility` without a new major
    version, or breaks a field that a consumer in the mesh reads.
    """
    result = _run(fmt, fail_on, lambda: api.diff(old, new, show_info=show_info))
    _finish(result.diagnostics, fmt, fail_on, quiet_ok=f"compared {result.old.product.version} → "
                                                       f"{result.new.product.version}{_hidden_note(result.hidden)}")


@cli.command("check")
@path_argument
@click.option("--against", "ref", required=True, help="A git revision to compare with: main, HEAD~1, a tag.")
@click.option("--all", "show_info", is_flag=True, help="Also list informational changes (additions, docs).")
@format_option
@fail_on_option
def check_command(path: Path | None, ref: str, show_info: bool, fmt: str, fail_on: str) -> None:
    """Compare the working tree's mesh with a git revision (read from git; the tree is not touched)."""
    result = _run(fmt, fail_on, lambda: api.check_against(path, ref, show_info=show_info))
    n = len(result.mesh.selected)
    _finish(result.diagnostics, fmt, fail_on,
            quiet_ok=f"checked {n} product{'s' if n != 1 else ''} against {ref}{_hidden_note(result.hidden)}")


def _hidden_note(hidden: int) -> str:
    if not hidden:
        return ""
    return f"; {hidden} informational change{'s' if hidden != 1 else ''} not shown (--all lists them)"


@cli.command("changelog")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["markdown", *FORMAT_NAMES]), default="markdown", show_default=True,
              help="markdown (or human): the changelog page; json: the classified changes as data; sarif and "
                   "github: every change as a finding, as `meshgen diff --all` prints it.")
@output_options
def changelog_command(old: str, new: str, fmt: str) -> None:
    """List every change between two versions of a product file, classified."""
    if fmt in ("sarif", "github"):
        result = _run(fmt, "never", lambda: api.diff(old, new, show_info=True))
        _emit(result.diagnostics.sorted(), fmt)
        return
    text = _run("human", "error", lambda: api.changelog(old, new, fmt="json" if fmt == "json" else "markdown"))
    click.echo(text, nl=False)


@cli.command("lineage")
@path_argument
@click.option("--format", "fmt", type=click.Choice(list(api.LINEAGE_FORMATS)), default="svg", show_default=True,
              help="svg (laid out by Graphviz's dot, else grandalf), dot, mermaid or json (nodes, edges, fields read).")
@click.option("--product", metavar="ADDRESS", help="Only this product's neighbourhood (data://domain/name/vN).")
@click.option("--domain", help="Only this domain's products and their direct neighbours.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="With --product: steps up- and downstream (0: all).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout.")
@output_options
def lineage_command(path: Path | None, fmt: str, product: str | None, domain: str | None, depth: int,
                    output: Path | None) -> None:
    """Print the mesh's lineage graph: products grouped by domain, input ports as edges labelled with the fields read."""
    text = _run("human", "error", lambda: api.lineage(path, fmt=fmt, product=product, domain=domain, depth=depth,
                                                      output=output))
    if output is None:
        click.echo(text, nl=False)


@cli.command("test")
@path_argument
@click.option("--connection", "-c", required=True, metavar="URL",
              help="duckdb:///file.duckdb, postgresql://user@host/db, spark://local or sc://host:port.")
@click.option("--table", "tables", multiple=True, metavar="DATASET=NAME",
              help="Read DATASET from table NAME (repeatable); default: the table port's location, else its name.")
@click.option("--create", is_flag=True, help="DuckDB: create missing tables from the DuckDB DDL and load the examples.")
@click.option("--format", "fmt", type=click.Choice(["human", "json", "junit"]), default="human", show_default=True,
              help="How to print the results.")
def test_command(path: Path | None, connection: str, tables: tuple[str, ...], create: bool, fmt: str) -> None:
    """Run the products' quality checks against live data (exit 1 when an error-severity check fails)."""
    mapping = {}
    for item in tables:
        dataset, sep, name = item.partition("=")
        if not sep or not dataset or not name:
            raise click.BadParameter(f"{item!r}: write DATASET=TABLE, such as orders=analytics.orders_v1",
                                     param_hint="--table")
        mapping[dataset] = name
    run = _run("human", "error", lambda: api.test_data(path, connection, tables=mapping, create=create))
    if run.diagnostics:
        text = api.render_report(sorted(run.diagnostics, key=lambda d: (str(d.location), d.code)), "human")
        click.echo(text.rstrip("\n"), err=True)
    click.echo(api.render_test_run(run, fmt), nl=False)
    sys.exit(1 if run.failed else 0)


# ---- the docs site -----------------------------------------------------------------------------

@cli.group("docs")
def docs_group() -> None:
    """The mesh's documentation site (MkDocs with the Material theme: pip install 'meshgen[docs]')."""


@docs_group.command("build")
@path_argument
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="The MkDocs project's folder (default: docs/ inside the mesh's output folder).")
@click.option("--html/--no-html", default=True, show_default=True,
              help="Build the HTML with MkDocs into site/; --no-html writes only the MkDocs project (no MkDocs needed).")
@click.option("--strict", is_flag=True, help="MkDocs' warnings (a broken link, a page left out) are errors.")
@format_option
def docs_build_command(path: Path | None, output: Path | None, html: bool, strict: bool, fmt: str) -> None:
    """Generate the mesh's docs site: home, a page per domain and per product version, rules."""
    result = _run(fmt, "error", lambda: api.docs_build(path, output=output, html=html, strict=strict))
    if result.mkdocs_output:
        click.echo(api.printable(result.mkdocs_output), err=True)
    where = result.site if result.site is not None else result.project
    _finish(result.diagnostics, fmt, "error", quiet_ok=f"wrote the docs site of {len(result.mesh.products)} "
            f"product{'s' if len(result.mesh.products) != 1 else ''} to {api.display_path(where)}")


@docs_group.command("serve")
@path_argument
@click.option("-p", "--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="The port on 127.0.0.1.")
@format_option
def docs_serve_command(path: Path | None, port: int, fmt: str) -> None:
    """Serve the docs site on 127.0.0.1 and regenerate it whenever a spec, meshgen.yaml or a template changes."""

    def ready(url: str) -> None:
        _status(f"serving the docs site at {url} (Ctrl-C stops)")

    def problem(diagnostics) -> None:
        _emit([d for d in diagnostics if not isinstance(d, str)], fmt)
        _status("the mesh has errors: still serving the last good site")

    _run(fmt, "error", lambda: api.docs_serve(path, port=port, on_ready=ready, on_problem=problem))


@cli.group("publish")
def publish_group() -> None:
    """Send the mesh's catalog entries to a live catalog server."""


@publish_group.command("openmetadata")
@path_argument
@click.option("--server", required=True, metavar="URL", help="The OpenMetadata server, such as https://openmetadata.example.com.")
@click.option("--token-env", required=True, metavar="VAR",
              help="The environment variable holding the token (a bot's JWT); the token is never printed.")
@click.option("--dry-run", is_flag=True, help="Print each request it would send (with -v, each body); send nothing.")
@format_option
def publish_openmetadata_command(path: Path | None, server: str, token_env: str, dry_run: bool, fmt: str) -> None:
    """Build the openmetadata requests in memory and PUT them in dependency order (one line per entity)."""
    result = _run(fmt, "error", lambda: api.publish_openmetadata(
        path, server=server, token_env=token_env, dry_run=dry_run, bodies=_flag("verbose"),
        report=lambda line: click.echo(api.printable(line))))
    found = [d for d in result.diagnostics if d.severity >= api.Severity.WARNING]
    if found:
        text = api.render_report(sorted(found, key=lambda d: (str(d.location), d.code)), fmt, color=_color())
        click.echo(text.rstrip("\n"), err=True)
    _status(f"dry run: {len(result.requests)} requests, nothing sent to {api.printable(server)}" if dry_run
            else f"sent {len(result.sent)} requests to {api.printable(server)}")


def _environment_failure(exc: OSError) -> None:
    """Say what the system refused, on stderr, and exit 2 (stdout itself may be what failed)."""
    try:  # nothing more reaches a closed or full stdout, not even the flush at exit
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.__stdout__.fileno() if sys.__stdout__ else 1)
        os.close(null)
    except (OSError, ValueError):
        pass
    where = api.printable(str(exc.filename)) if exc.filename else "standard output"
    if exc.errno == errno.EPIPE:
        what = "it was closed before meshgen finished writing (broken pipe); the output is incomplete"
    else:
        what = exc.strerror or str(exc)
    try:
        click.echo(f"meshgen: error: cannot write to {where}: {what}", err=True)
    except OSError:
        pass
    sys.exit(2)


class _WholeWrites(io.RawIOBase):
    """Standard output whose every write is written whole or raises. A pipe whose reader left
    (`meshgen validate | head -1`) first takes a short write, and io.BufferedWriter returns that
    short count without an error: a report larger than the pipe was cut without a word."""

    def __init__(self, fd: int):
        super().__init__()
        self.fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.write(self.fd, view[done:])
        return done


def _checked_stdout() -> None:
    """sys.stdout through _WholeWrites, same encoding and buffering (a closed stdout is refused:
    a file opened later would be given its descriptor)."""
    if sys.stdout is None:
        click.echo("meshgen: error: cannot write to standard output: it is closed; "
                   "redirect it to a file or to /dev/null instead", err=True)
        sys.exit(2)
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # not a file (an embedding host's stream): keep it
        return
    old = sys.stdout
    old.flush()
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(_WholeWrites(fd)), encoding=old.encoding, errors=old.errors,
                                  line_buffering=old.line_buffering)


def main() -> None:
    _checked_stdout()
    try:
        cli.main(prog_name="meshgen")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as exc:  # the environment, not meshgen: stdout closed (EPIPE) or full (ENOSPC), ...
        _environment_failure(exc)
    except Exception as exc:  # a bug: say so plainly, keep the traceback for those who ask
        if os.environ.get("MESHGEN_DEBUG"):
            raise
        click.echo(f"meshgen: internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in meshgen. Run again with MESHGEN_DEBUG=1 for the traceback and report it.", err=True)
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    main()
