"""The reporter: where schema builders say what a format cannot express.

One reporter per build. Several targets embed the same dataset's schema (the Avro schema is the
avro target's file, an AsyncAPI payload and a registry subject); each fact about one field is
reported once, however many targets built it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meshgen.diagnostics import Diagnostic, Location, Severity

# A note about many fields names this many and counts the rest: one note per message, record or
# table, a few lines long however wide the dataset (each field is in the generated file).
LISTED = 20


def listed(items: list[str]) -> str:
    """`a, b, c` naming at most LISTED of `items`, then `and 1,234 more`."""
    shown = ", ".join(items[:LISTED])
    return f"{shown} and {len(items) - LISTED:,} more" if len(items) > LISTED else shown


@dataclass
class Reporter:
    # The list the build collects; the reporter appends to it and never removes.
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Under --strict, what a format cannot express is an error rather than a warning.
    strict: bool = False
    _seen: set[Diagnostic] = field(default_factory=set, repr=False)
    # Lists that also get every report, seen before or not (meshgen.incremental.PartStore records
    # what computing a part reported, to report it again when the part is reused)
    taps: list[list[Diagnostic]] = field(default_factory=list, repr=False)

    def report(self, diagnostic: Diagnostic) -> None:
        for tap in self.taps:
            tap.append(diagnostic)
        if diagnostic in self._seen:
            return
        self._seen.add(diagnostic)
        self.diagnostics.append(diagnostic)

    def unsupported(self, code: str, message: str, location: Location, hint: str) -> None:
        """Something the format cannot express: a note (summarized per target, listed with
        --verbose), or an error under strict mode; `diagnostics:` in meshgen.yaml may set its level."""
        severity = Severity.ERROR if self.strict else Severity.NOTE
        self.report(Diagnostic(code, severity, message, location, hint))

    def error(self, code: str, message: str, location: Location, hint: str) -> None:
        self.report(Diagnostic(code, Severity.ERROR, message, location, hint))

    def warning(self, code: str, message: str, location: Location, hint: str) -> None:
        self.report(Diagnostic(code, Severity.WARNING, message, location, hint))


class FieldNotes:
    """Notes about single fields of one message, record or table, reported one per code: a code
    met once keeps its own message; met for several fields, one note at the first one's position
    says `many` of them all (a 100,000-field dataset gets a note, not 100,000)."""

    def __init__(self) -> None:
        self.by_code: dict[str, list[tuple[str, str, Location, str]]] = {}

    def add(self, code: str, item: str, message: str, location: Location, hint: str) -> None:
        """`item`: the field as the summary names it; `message`: the note when it is the only one."""
        self.by_code.setdefault(code, []).append((item, message, location, hint))

    def report(self, reporter: Reporter, many: dict[str, str]) -> None:
        """Each code's note; `many[code]` is the summary, with {count} and {listed} (the items)."""
        for code, notes in self.by_code.items():
            item, message, location, hint = notes[0]
            if len(notes) > 1:
                message = many[code].format(count=f"{len(notes):,}", listed=listed([n[0] for n in notes]))
            reporter.unsupported(code, message, location, hint)
        self.by_code.clear()
