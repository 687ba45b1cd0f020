"""MkDocs, run as a program: find it, build a project's HTML reproducibly, serve it.

Which MkDocs: `MESHGEN_MKDOCS` (the path of an `mkdocs` executable, e.g. a venv of its own),
else the one installed beside meshgen (`pip install 'meshgen[docs]'`: mkdocs and
mkdocs-material importable by this Python). Without either, `MkDocsMissing` (exit 2) says how to
install it. MkDocs runs with SOURCE_DATE_EPOCH pinned (0, unless the caller's environment sets
it), so the sitemap's dates and the gzip header are the same on every run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.errors import MeshgenError, UsageError

MKDOCS_VARIABLE = "MESHGEN_MKDOCS"
INSTALL_HINT = ("install it with `pip install 'meshgen[docs]'` (MkDocs, the Material theme and the sanitizer), "
                f"or set {MKDOCS_VARIABLE} to an mkdocs executable; `meshgen docs build --no-html` writes the "
                "MkDocs project without it")


class MkDocsMissing(UsageError):
    """MkDocs (with the Material theme) is not installed: a usage problem, exit 2."""


class MkDocsFailed(MeshgenError):
    """MkDocs ran and refused the project (a warning under --strict, a broken override)."""

    exit_code = 1


def mkdocs_command() -> list[str]:
    """The command that runs MkDocs, or MkDocsMissing."""
    configured = os.environ.get(MKDOCS_VARIABLE, "").strip()
    if configured:
        if not os.access(configured, os.X_OK) or Path(configured).is_dir():
            raise _missing(f"{MKDOCS_VARIABLE}={configured} is not an executable")
        return [configured]
    if find_spec("mkdocs") is None or find_spec("material") is None:
        raise _missing("meshgen docs build needs MkDocs and the Material theme, and neither is installed beside meshgen"
                       if find_spec("mkdocs") is None else "meshgen docs build needs the Material theme for MkDocs")
    return [sys.executable, "-m", "mkdocs"]


def _missing(message: str) -> MkDocsMissing:
    return MkDocsMissing(message, [Diagnostic("DOCS001", Severity.ERROR, message, Location("<environment>"),
                                              INSTALL_HINT)])


def reproducible_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", "0")
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about its successor, on every run
    env.pop("PYTHONSTARTUP", None)
    return env


def build_command(*, strict: bool = False) -> list[str]:
    """`mkdocs build` as meshgen runs it, without its `-f` (the project's or a part's config)."""
    return mkdocs_command() + ["build", "--quiet", "--clean"] + (["--strict"] if strict else [])


def build_html(project: Path, *, strict: bool = False) -> str:
    """`mkdocs build` of the project folder into its `site/`; returns what MkDocs warned about.
    A big site is built by a few MkDocs processes at once (docsite/mkdocs_parts.py), the same bytes."""
    from meshgen.docsite import mkdocs_parts
    from meshgen.docsite.pictures import DOCS_DIR
    from meshgen.docsite.project import SITE_DIR

    command = build_command(strict=strict)
    pages = mkdocs_parts.page_order(project / DOCS_DIR)
    parts = mkdocs_parts.split_pages(pages, [(project / DOCS_DIR / p).stat().st_size for p in pages],
                                     mkdocs_parts.part_count(len(pages)))
    if len(parts) > 1:
        runs = mkdocs_parts.build_in_parts(project, command, reproducible_environment(), SITE_DIR, parts)
    else:
        done = subprocess.run(command + ["-f", str(project / "mkdocs.yml")], cwd=project,
                              env=reproducible_environment(), capture_output=True, text=True, stdin=subprocess.DEVNULL)
        runs = [mkdocs_parts.PartRun(done.returncode, done.stdout + done.stderr, 0.0, 0.0)]
    return mkdocs_said(project, runs, strict=strict)


def mkdocs_said(project: Path, runs: list, *, strict: bool) -> str:
    """What the MkDocs processes of a build said (each line once), or MkDocsFailed when one failed."""
    output = "\n".join(dict.fromkeys(line for run in runs for line in run.output.strip().splitlines()))
    failed = next((run for run in runs if run.returncode != 0), None)
    if failed is not None:
        raise MkDocsFailed("MkDocs could not build the site", [Diagnostic(
            "DOCS002", Severity.ERROR, "mkdocs build failed" + (" (--strict: its warnings are errors)" if strict else "")
            + ": " + (output[-2000:] or f"exit code {failed.returncode}"), Location(str(project / "mkdocs.yml")),
            "a template override in `templates/docsite/` may link to a page that does not exist; "
            "`meshgen docs build --no-html` writes the project so you can run mkdocs on it yourself")])
    return output


def serve_command(project: Path, port: int) -> list[str]:
    """`mkdocs serve` on 127.0.0.1 only, reloading when the project's files change."""
    return mkdocs_command() + ["serve", "-f", str(project / "mkdocs.yml"), "--dev-addr", f"127.0.0.1:{port}",
                               "--livereload"]


# The codes this module reports (meshgen.reporting.codes collects every component's).
def _code_families():
    from meshgen.diagnostics import CodeFamily, DiagnosticCode

    return (CodeFamily("DOCS", "The docs site builds.", "docs/docs-site.md", (
        DiagnosticCode("DOCS001", "error (exit 2)", "`meshgen docs build` or `docs serve` needs MkDocs with the "
                                                    "Material theme, which is not installed (`pip install "
                                                    "'meshgen[docs]'`, or MESHGEN_MKDOCS names an mkdocs executable)"),
        DiagnosticCode("DOCS002", "error", "MkDocs refused the generated project (with --strict, any MkDocs "
                                           "warning; usually a template override that links to no page)"),
        DiagnosticCode("DOCS003", "error (exit 2)", "a domain named `docs` would share the output folder's `docs/` "
                                                    "with the docs project: `meshgen docs build -o DIR` writes the "
                                                    "docs elsewhere"),
    ), configurable=False),)


CODE_FAMILIES = _code_families()
