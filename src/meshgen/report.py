"""Diagnostics → text in the format the user asked for. Every format reads `Diagnostic.to_dict()`."""

from __future__ import annotations

from typing import Callable, Iterable

from meshgen.diagnostics import Diagnostic, format_human, format_json

# format name → function(diagnostics, color) -> text
FORMATS: dict[str, Callable[[list[Diagnostic], bool], str]] = {
    "human": lambda diags, color: format_human(diags, color=color),
    "json": lambda diags, color: format_json(diags),
}


def render(diagnostics: Iterable[Diagnostic], fmt: str, color: bool = False) -> str:
    return FORMATS[fmt](list(diagnostics), color)
