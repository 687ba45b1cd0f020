"""The reporter: where schema builders say what a format cannot express.

One reporter per build. Several targets embed the same dataset's schema (the Avro schema is the
avro target's file, an AsyncAPI payload and a registry subject); each fact about one field is
reported once, however many targets built it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meshgen.diagnostics import Diagnostic, Location, Severity


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
