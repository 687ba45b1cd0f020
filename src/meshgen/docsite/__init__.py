"""The mesh's documentation site: an MkDocs project generated from the mesh, built by MkDocs.

    pages.py         what each page shows (home, domain, product version, rules), as data
    escape.py        spec text made safe for Markdown and HTML; descriptions sanitized by nh3
    render.py        the page templates (templates/docsite/), every printed value escaped
    project.py       the project's files: mkdocs.yml (data) and the pages
    pictures.py      the lineage pictures, laid out (by `dot`) while the pages render, as files
    mkdocs_hook.py   the MkDocs hook the project carries: it inlines each page's picture
    mkdocs_build.py  MkDocs as a program: find it, build the HTML reproducibly, serve it
    mkdocs_parts.py  a big site built by a few MkDocs processes at once, merged into the same bytes
    serve.py         `meshgen docs serve`: regenerate on change, MkDocs reloads the browser

Where it goes: the project at `<mesh output>/docs/` (or `-o DIR`), its HTML at `<DIR>/site/`.
Inside the output folder the project is recorded in the build output's manifest (so `meshgen
build` of some products keeps it, and refuses nothing); a full `meshgen build` replaces the whole
output folder, docs included, so run `meshgen docs build` after it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from meshgen.docsite.project import DOCS_UNIT_TARGET, SITE_DIR, Project

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh

PROJECT_IN_OUTPUT = "docs"  # the project's folder inside the mesh's output folder


@dataclass
class DocsWritten:
    project: Path  # the MkDocs project folder (mkdocs.yml)
    site: Path | None  # its HTML (None with html=False)
    files: list[str] = field(default_factory=list)  # paths written, relative to the folder written
    mkdocs_output: str = ""  # what MkDocs said (its warnings)


def project_location(mesh: "Mesh", output: Path | None) -> tuple[Path, Path, str | None]:
    """(folder written atomically, project folder, the project's path inside the build output or None)."""
    from meshgen.planner import output_dir

    build_output = output_dir(mesh, None)
    if output is None:
        refuse_a_domain_named_like_the_project(mesh)
        return build_output, build_output / PROJECT_IN_OUTPUT, PROJECT_IN_OUTPUT
    try:
        inside = Path(output).resolve().relative_to(build_output.resolve()).as_posix()
    except ValueError:
        inside = None
    return Path(output), Path(output), inside


def refuse_a_domain_named_like_the_project(mesh: "Mesh") -> None:
    """A build writes a domain's artifacts to `<output>/<domain>/`: a domain named `docs` would
    share its folder with the docs project, and writing either would replace the other's files."""
    from meshgen.diagnostics import Diagnostic, Severity
    from meshgen.errors import UsageError

    clashing = sorted((pf for pf in mesh.products if pf.product.domain == PROJECT_IN_OUTPUT),
                      key=lambda pf: pf.product.address)
    if not clashing:
        return
    message = (f"the domain `{PROJECT_IN_OUTPUT}` writes its artifacts to the output folder's `{PROJECT_IN_OUTPUT}/`, "
               "where `meshgen docs build` writes the docs project; nothing was written")
    raise UsageError(message, [Diagnostic(
        "DOCS003", Severity.ERROR, message, clashing[0].location("domain"),
        f"write the docs elsewhere with `meshgen docs build -o DIR` (e.g. -o site-docs), or rename the domain "
        f"`{PROJECT_IN_OUTPUT}` (`meshgen docs serve` is not affected)")])


def write_docs(mesh: "Mesh", output: Path | None = None, *, html: bool = True, strict: bool = False) -> DocsWritten:
    """Generate the project and (with `html`) build it with MkDocs, then write both atomically:
    nothing changes when generation or MkDocs fails. MkDocs builds in the output's own staging
    folder (output.StagedOutput), which then replaces the output's project by renames."""
    from meshgen.docsite.mkdocs_build import mkdocs_command

    if html:
        mkdocs_command()  # fail before any work when MkDocs is missing
    target, project, inside = project_location(mesh, output)
    prepared = Project.of(mesh, build_output=_build_output(mesh), project_in_output=inside,
                          override_dir=_override_dir(mesh))
    if not html:
        return DocsWritten(project, None, _write(target, _project_files(prepared), output is None))
    from meshgen.output import StagedOutput

    with StagedOutput(target) as staged:  # MkDocs builds in the output's own staging folder
        root = (staged.stage / PROJECT_IN_OUTPUT if output is None else staged.stage).absolute()  # MkDocs runs in it
        root.mkdir(exist_ok=True)
        files, said = _built(prepared, root, strict)
        written = _commit(staged, files, _tree_digests(root / SITE_DIR, f"{SITE_DIR}/"), output is None)
    return DocsWritten(project, project / SITE_DIR, written, said)


def _project_files(prepared: Project) -> dict[str, str]:
    return dict(sorted({**prepared.render_pages(), **prepared.fixed_files()}.items()))


def _built(prepared: Project, stage: Path, strict: bool) -> tuple[dict[str, str], str]:
    """The project's files and MkDocs' build of them in stage/site: a big site part by part, each
    part rendered and built by a forked worker (docsite/part_workers.py), else rendered, then built."""
    from meshgen.docsite import part_workers
    from meshgen.docsite.mkdocs_build import build_command, build_html, mkdocs_said, reproducible_environment

    parts = part_workers.planned_parts(prepared, stage) if part_workers.wanted(prepared) else []
    if len(parts) > 1:
        files, runs = part_workers.render_and_build(prepared, stage, parts, build_command(strict=strict),
                                                    reproducible_environment(), SITE_DIR)
        return files, mkdocs_said(stage, runs, strict=strict)
    files = _project_files(prepared)
    for rel, text in files.items():
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        (stage / rel).write_text(text, encoding="utf-8")
    return files, build_html(stage, strict=strict)


def _build_output(mesh: "Mesh") -> Path:
    from meshgen.planner import output_dir

    return output_dir(mesh, None)


def _override_dir(mesh: "Mesh") -> Path | None:
    return mesh.root / mesh.config.templates if mesh.config.templates else None


def _tree_digests(folder: Path, prefix: str) -> dict[str, str]:
    """sha256 of every file under `folder` (MkDocs' site), by its path with `prefix`."""
    return {prefix + p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _write(target: Path, contents: dict[str, str], in_output: bool) -> list[str]:
    """The project without its HTML (--no-html), as `_commit` records it."""
    from meshgen.output import write_tree

    if not in_output:
        return write_tree(target, contents)
    files = {f"{PROJECT_IN_OUTPUT}/{rel}": data for rel, data in contents.items()}
    return write_tree(target, files, keep_from_previous=True, replace_prefixes=(PROJECT_IN_OUTPUT + "/",),
                      units=_units(target, files))


def _commit(staged, files: dict[str, str], site: dict[str, str], in_output: bool) -> list[str]:
    """Make the staged project and site (written in place by `_built`: `files` and the site's
    digests) the output. Into the build output: the project replaces only `docs/` and is recorded
    as one unit of its manifest. Elsewhere (-o DIR): the folder holds the project alone."""
    from meshgen.output import plain_relpath

    digests = {plain_relpath(rel): hashlib.sha256(text.encode("utf-8")).hexdigest() for rel, text in files.items()}
    digests.update({plain_relpath(rel): digest for rel, digest in site.items()})
    if not in_output:
        return staged.commit(digests, set(digests), _top_entry)
    digests = {f"{PROJECT_IN_OUTPUT}/{rel}": digest for rel, digest in digests.items()}
    return staged.commit(digests, set(digests), _top_entry, units=_units(staged.out, digests), keep_from_previous=True,
                         replace_prefixes=(PROJECT_IN_OUTPUT + "/",))


def _top_entry(rel: str) -> str:
    return rel.split("/", 1)[0]


def _units(target: Path, files: dict) -> dict[str, dict]:
    """The build output's manifest units, the docs project's (one unit, `files`) replaced."""
    from meshgen.output import read_manifest_units

    units = {k: v for k, v in read_manifest_units(target).items()
             if v.get("folder") != PROJECT_IN_OUTPUT and not str(v.get("folder", "")).startswith(PROJECT_IN_OUTPUT + "/")}
    units[f"{DOCS_UNIT_TARGET}@mesh"] = {"target": DOCS_UNIT_TARGET, "reads": "mesh", "folder": PROJECT_IN_OUTPUT,
                                         "product": None, "files": sorted(files)}
    return units
