"""Diagnostics: every problem meshgen reports, with a code, a severity and a source position.

One `to_dict()` feeds every output format (human, json, sarif, github).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from meshgen.serializer import json_document


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use info, warning or error") from None


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column in a file."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    location: Location
    hint: str = ""
    name: str = ""  # dotted rule name, e.g. pii.protection-required
    related: tuple[Location, ...] = ()  # e.g. the old position in a diff
    suppressed_by: str = ""  # the waiver reason when a waiver silences it
    path: str = ""  # a governance finding's logical path, the one a waiver names (datasets.orders.fields.user_id)

    @property
    def suppressed(self) -> bool:
        return bool(self.suppressed_by)

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.code, self.message)

    def with_severity(self, severity: Severity) -> "Diagnostic":
        return replace(self, severity=severity)

    def to_dict(self) -> dict:
        out = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "hint": self.hint,
        }
        if self.related:
            out["related"] = [
                {"file": r.file, "line": r.line, "column": r.column} for r in self.related
            ]
        if self.path:
            out["path"] = self.path
        if self.suppressed_by:
            out["suppressed"] = {"kind": "waiver", "justification": self.suppressed_by}
        return out


@dataclass
class DiagnosticList:
    """An ordered, de-duplicated collection of diagnostics."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    def sorted(self) -> list[Diagnostic]:
        seen: set = set()
        out = []
        for d in sorted(self.items, key=Diagnostic.sort_key):
            key = (d.code, d.location, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out

    def active(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if not d.suppressed]

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.active() if d.severity == severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def __iter__(self):
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self.items)


def display_path(path: Path | str) -> str:
    """Paths in diagnostics are relative to the working directory when they can be."""
    p = Path(path)
    try:
        # abspath, not resolve: a symlink is shown under its own name, not its target's
        return str(Path(os.path.abspath(p)).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def printable(text: str, keep_tabs: bool = False) -> str:
    """Text safe to print on a terminal or a CI log: control characters, line separators and bidi
    overrides are shown as escapes (a newline in a folder name cannot start a forged `::error`
    line, an ANSI sequence in a product cannot repaint the terminal)."""
    import unicodedata

    def escape(ch: str) -> str:
        code = ord(ch)
        if ch == "\t" and keep_tabs:
            return ch
        if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or code in (0x2028, 0x2029) or code in _BIDI:
            return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        return ch

    if text.isprintable():
        return text
    return "".join(escape(ch) if not ch.isprintable() or unicodedata.category(ch) == "Cf" else ch for ch in text)


# shown name → identity (device, inode, size, mtime) of each input file meshgen.load.files accepted.
_ACCEPTED: dict[str, tuple[int, int, int, int]] = {}


def _identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def accept_source(shown: str, info: os.stat_result) -> None:
    """Record that the input file shown as `shown` passed meshgen.load.files' checks (as `info`)."""
    _ACCEPTED[shown] = _identity(info)


def accepted_text(shown: str) -> str | None:
    """The text of an input file this process accepted, if it is still that same file; else None.
    Reports print source lines only from these: a refused file (a link to /proc/self/environ,
    /etc/passwd, a FIFO) is never read to show its "offending line"."""
    import stat

    identity = _ACCEPTED.get(shown)
    if identity is None:
        return None
    try:
        fd = os.open(shown, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or _identity(info) != identity:
            return None
        chunks, left = [], identity[2] + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _source_line(file: str, line: int, cache: dict[str, list[str] | None]) -> str | None:
    """Line `line` of `file`; each file is read once per report (`cache`)."""
    if file not in cache:
        # Only a file meshgen accepted as input, and still the same file: a refused symlink to
        # /proc/self/environ or /etc/passwd is never printed.
        text = accepted_text(file)
        cache[file] = text.splitlines() if text is not None else None
    lines = cache[file]
    return lines[line - 1] if lines is not None and 0 < line <= len(lines) else None


def format_human(diagnostics: Iterable[Diagnostic], color: bool = False, per_code: int | None = None) -> str:
    """file:line:col: severity[CODE] message, the source line, a caret, and the hint.

    With `per_code`, at most that many warnings and notes of one code are shown in full (errors
    always are) and the rest are counted at the end; machine formats always list everything.
    """
    import click

    palette = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
    chunks = []
    sources: dict[str, list[str] | None] = {}
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for d in diagnostics:
        if d.suppressed:
            continue
        if per_code is not None and d.severity < Severity.ERROR:
            shown[d.code] = shown.get(d.code, 0) + 1
            if shown[d.code] > per_code:
                hidden[d.code] = hidden.get(d.code, 0) + 1
                continue
        sev = d.severity.label
        if color:
            sev = click.style(sev, fg=palette[d.severity], bold=True)
        head = f"{printable(str(d.location))}: {sev}[{d.code}] {printable(d.message)}"
        lines = [head]
        src = _source_line(d.location.file, d.location.line, sources)
        if src is not None and src.strip():
            gutter = f"{d.location.line:>5} | "
            shown_src = printable(src, keep_tabs=True)
            # the caret moves right by what the escapes before the column added
            shift = len(printable(src[:max(d.location.column - 1, 0)], keep_tabs=True)) - max(d.location.column - 1, 0)
            caret_pad = " " * (len(gutter) - 2) + "| " + " " * (max(d.location.column - 1, 0) + shift)
            lines.append(gutter + shown_src)
            lines.append(caret_pad + "^")
        for rel in d.related:
            lines.append(f"      = see {printable(str(rel))}")
        if d.hint:
            lines.append(f"      = hint: {printable(d.hint)}")
        chunks.append("\n".join(lines))
    if hidden:
        more = ", ".join(f"{n} {code}" for code, n in sorted(hidden.items()))
        chunks.append(f"... and {sum(hidden.values())} more like the above ({more}): "
                      "--verbose shows every finding, --format json lists them as data")
    return "\n\n".join(chunks)


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


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json_document([d.to_dict() for d in diagnostics])
