"""Diagnostics → text in the format the user asked for. Every format reads `Diagnostic.to_dict()`.

    human.py   for a person: source line, caret, hint; notes summarized per target
    sarif.py   SARIF 2.1.0 (GitHub code scanning) and GitHub workflow-command annotations
    codes.py   every code, collected from the components that declare them; docs/diagnostics.md
    levels.py  `diagnostics:` in meshgen.yaml: the level of a code or a family
"""

from __future__ import annotations

from typing import Callable, Iterable

from meshgen.diagnostics import Diagnostic
from meshgen.serializer import json_document

# In human output, how many warnings of one code are shown in full unless --verbose.
HUMAN_PER_CODE = 3


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json_document([d.to_dict() for d in diagnostics])


def _human(diagnostics: list[Diagnostic], color: bool, verbose: bool) -> str:
    from meshgen.reporting.codes import owner
    from meshgen.reporting.human import format_human

    return format_human(diagnostics, color=color, per_code=None if verbose else HUMAN_PER_CODE, owner=owner)


def _sarif(diagnostics: list[Diagnostic], color: bool, verbose: bool) -> str:
    from meshgen.reporting.sarif import format_sarif

    return format_sarif(diagnostics)


def _github(diagnostics: list[Diagnostic], color: bool, verbose: bool) -> str:
    from meshgen.reporting.sarif import format_github

    return format_github(diagnostics)


# format name → function(diagnostics, color, verbose) -> text
FORMATS: dict[str, Callable[[list[Diagnostic], bool, bool], str]] = {
    "human": _human,
    "json": lambda diags, color, verbose: format_json(diags),
    "sarif": _sarif,
    "github": _github,
}


def render(diagnostics: Iterable[Diagnostic], fmt: str, color: bool = False, verbose: bool = False) -> str:
    return FORMATS[fmt](list(diagnostics), color, verbose)
