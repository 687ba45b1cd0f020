"""Diagnostics: every problem meshgen reports, with a code, a severity and a source position.

One `to_dict()` feeds every output format (meshgen.reporting: human, json, sarif, github). Each
component declares the codes it reports as a `CodeFamily` next to the code that reports them
(meshgen.reporting.codes collects them for SARIF, docs/diagnostics.md and the configuration).
"""

from __future__ import annotations

import enum
import functools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable



class Severity(enum.IntEnum):
    INFO = 1  # informational (a compatible change, a deleted version nobody read)
    NOTE = 2  # what a target cannot express: listed with --verbose, otherwise summarized
    WARNING = 3
    ERROR = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use info, note, warning or error") from None


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
        # Reporting asks several times (the report, the summary's counts, the exit code): the
        # order is computed once for the same items (a wide product has a note per field).
        memo = self.__dict__.get("_sorted")
        if memo is not None and len(memo[0]) == len(self.items) and all(a is b for a, b in zip(memo[0], self.items)):
            return list(memo[1])
        seen: set = set()
        out = []
        for d in sorted(self.items, key=Diagnostic.sort_key):
            key = (d.code, d.location, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
        self.__dict__["_sorted"] = (list(self.items), out)
        return list(out)

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
        return str(Path(os.path.abspath(p)).relative_to(_real_folder(os.getcwd())))
    except (ValueError, OSError):
        return str(p)


@functools.lru_cache(maxsize=16)
def _real_folder(cwd: str) -> Path:
    """The working folder resolved, once per folder a process works in (a build shows thousands of
    paths: resolving it for each took a stat per folder on its way, every time)."""
    return Path(cwd).resolve()


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


# ---- what each component declares about the codes it reports --------------------------------

@dataclass(frozen=True)
class DiagnosticCode:
    code: str  # e.g. SQL001
    severity: str  # the level it is reported at by default, in words ("note; an error with --strict")
    meaning: str  # one line for docs/diagnostics.md (Markdown)


@dataclass(frozen=True)
class CodeFamily:
    """The codes one component reports: a prefix (`SQL`), what they are about, the docs page
    that explains them, and each code. `configurable`: whether `diagnostics:` in meshgen.yaml
    may set their level (not for findings that mean the input cannot be read at all)."""

    prefix: str
    title: str
    docs: str  # a page under docs/
    codes: tuple[DiagnosticCode, ...] = ()
    configurable: bool = True
    target: str = ""  # the target that reports them (--strict makes its notes errors)

    def code(self, code: str) -> DiagnosticCode | None:
        return next((c for c in self.codes if c.code == code), None)
