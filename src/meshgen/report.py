"""Diagnostics → text in the format the user asked for. Every format reads `Diagnostic.to_dict()`."""

from __future__ import annotations

from typing import Callable, Iterable

from meshgen.diagnostics import Diagnostic, format_human, format_json

# In human output, how many warnings of one code are shown in full unless --verbose.
HUMAN_PER_CODE = 3

# format name → function(diagnostics, color) -> text

FORMATS: dict[str, Callable[[list[Diagnostic], bool], str]] = {
    "human": lambda diags, color: format_human(diags, color=color, per_code=HUMAN_PER_CODE),
    "json": lambda diags, color: format_json(diags),
    # SARIF 2.1.0 for GitHub code scanning, and GitHub Actions workflow-command annotations.
    "sarif": lambda diags, color: _governance_format("format_sarif")(diags, color),
    "github": lambda diags, color: _governance_format("format_github")(diags, color),
}


def _governance_format(name: str):
    from meshgen.governance import sarif  # imported only when asked for: it loads the rule registry

    return getattr(sarif, name)


def render(diagnostics: Iterable[Diagnostic], fmt: str, color: bool = False, verbose: bool = False) -> str:
    if fmt == "human" and verbose:
        return format_human(list(diagnostics), color=color)
    return FORMATS[fmt](list(diagnostics), color)
