"""Diagnostics as text for a person: the position, the source line with a caret, the hint.

Quiet by default: at most `per_code` warnings of one code are shown in full, and what a target
cannot express (notes, and a target's informational findings) is summarized per target; with
`verbose`, every finding is listed, and the notes that a field gets from several targets (the
same fact, e.g. a lost CHECK in SQL and in dbt) are shown once for that field.
"""

from __future__ import annotations

from typing import Callable, Iterable

from meshgen.diagnostics import Diagnostic, DiagnosticList, Severity, accepted_text, printable

# A source line longer than this is shown as a window around the column (a one-line product of
# 100,000 enum symbols must not print 800 KB per finding).
SOURCE_WIDTH = 160
PALETTE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan", Severity.INFO: "blue"}


def _source_line(file: str, line: int, cache: dict[str, list[str] | None]) -> str | None:
    """Line `line` of `file`; each file is read once per report (`cache`)."""
    if file not in cache:
        # Only a file meshgen accepted as input, and still the same file: a refused symlink to
        # /proc/self/environ or /etc/passwd is never printed.
        text = accepted_text(file)
        cache[file] = text.splitlines() if text is not None else None
    lines = cache[file]
    return lines[line - 1] if lines is not None and 0 < line <= len(lines) else None


def _window(src: str, column: int) -> tuple[str, int]:
    """At most SOURCE_WIDTH characters of `src` around `column` (… marks what was cut), and the
    column in that window."""
    if len(src) <= SOURCE_WIDTH:
        return src, column
    start = max(0, min(column - SOURCE_WIDTH // 4, len(src) - SOURCE_WIDTH))
    end = start + SOURCE_WIDTH
    head, tail = ("…" if start else ""), ("…" if end < len(src) else "")
    return head + src[start:end] + tail, column - start + len(head)


def _finding(d: Diagnostic, color: bool, sources: dict, also: list[Diagnostic]) -> str:
    import click

    sev = click.style(d.severity.label, fg=PALETTE[d.severity], bold=True) if color else d.severity.label
    lines = [f"{printable(str(d.location))}: {sev}[{d.code}] {printable(d.message)}"]
    src = _source_line(d.location.file, d.location.line, sources)
    if src is not None and src.strip():
        gutter = f"{d.location.line:>5} | "
        src, column = _window(src, max(d.location.column - 1, 0))
        # the caret moves right by what the escapes before the column added
        shift = len(printable(src[:column], keep_tabs=True)) - column
        lines.append(gutter + printable(src, keep_tabs=True))
        lines.append(" " * (len(gutter) - 2) + "| " + " " * (column + shift) + "^")
    for rel in d.related:
        lines.append(f"      = see {printable(str(rel))}")
    if d.hint:
        lines.append(f"      = hint: {printable(d.hint)}")
    for other in also:  # the same field, another target: its own words, once
        lines.append(f"      = also [{other.code}] {printable(other.message)}")
    return "\n".join(lines)


def format_human(diagnostics: Iterable[Diagnostic], color: bool = False, per_code: int | None = None,
                 owner: Callable[[str], str] | None = None) -> str:
    """file:line:col: severity[CODE] message, the source line, a caret, and the hint.

    With `per_code` (the default output), at most that many warnings of one code are shown in
    full (errors always are) and notes are counted per target (`owner(code)` names it); without
    it (--verbose) everything is listed, notes once per position. Machine formats list all.
    """
    owner = owner or (lambda code: code.rstrip("0123456789"))
    active = [d for d in diagnostics if not d.suppressed]
    summarized = per_code is not None
    chunks, sources = [], {}
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    notes: dict[str, int] = {}
    grouped: dict[tuple, list[Diagnostic]] = {}
    for d in active:
        if _is_note(d, owner):
            if summarized:
                name = owner(d.code).removeprefix("target ")
                notes[name] = notes.get(name, 0) + 1
                continue
            key = (d.location.file, d.location.line, d.location.column)
            if key in grouped:
                grouped[key].append(d)
                continue
            grouped[key] = []
            chunks.append((d, grouped[key]))
            continue
        if summarized and d.severity < Severity.ERROR:
            shown[d.code] = shown.get(d.code, 0) + 1
            if shown[d.code] > per_code:
                hidden[d.code] = hidden.get(d.code, 0) + 1
                continue
        chunks.append((d, []))
    out = [_finding(d, color, sources, also) for d, also in chunks]
    if hidden:
        more = ", ".join(f"{n} {code}" for code, n in sorted(hidden.items()))
        out.append(f"... and {sum(hidden.values())} more like the above ({more}): "
                   "--verbose shows every finding, --format json lists them as data")
    if notes:
        per_target = ", ".join(f"{name} {n}" for name, n in sorted(notes.items()))
        out.append(f"{sum(notes.values())} note{'s' if sum(notes.values()) != 1 else ''} on what the targets "
                   f"cannot express ({per_target}): --verbose lists them, once per field")
    return "\n\n".join(out)


def _is_note(d: Diagnostic, owner: Callable[[str], str]) -> bool:
    """A note, or a target's informational finding (a target names its owner)."""
    return d.severity is Severity.NOTE or (d.severity is Severity.INFO and owner(d.code).startswith("target "))


def summary_line(diagnostics: DiagnosticList) -> str:
    e = diagnostics.count(Severity.ERROR)
    w = diagnostics.count(Severity.WARNING)
    s = sum(1 for d in diagnostics.sorted() if d.suppressed)
    parts = [f"{e} error{'s' if e != 1 else ''}", f"{w} warning{'s' if w != 1 else ''}"]
    if s:
        parts.append(f"{s} waived")
    line = ", ".join(parts)
    if e + w > 10:  # a long list: say which codes it is made of
        counts: dict[str, int] = {}
        for d in diagnostics.active():
            if d.severity >= Severity.WARNING:
                counts[d.code] = counts.get(d.code, 0) + 1
        line += " (" + ", ".join(f"{code} ×{n}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) + ")"
    return line
