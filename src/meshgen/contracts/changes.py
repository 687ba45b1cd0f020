"""What a compatibility rule is, and what it finds.

Modes follow Avro schema resolution: a change *breaks backward* when a reader with the new
schema cannot read data written with the previous one, and *breaks forward* when a reader
with the previous schema (an existing consumer) cannot read data written with the new one.
`full` promises both; `none` promises neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from meshgen.diagnostics import Location, Severity

BACKWARD = "backward"
FORWARD = "forward"
BOTH = frozenset({BACKWARD, FORWARD})
NONE = frozenset()

# The declared `compatibility` value → the directions it promises.
PROMISES: dict[str, frozenset[str]] = {
    "backward": frozenset({BACKWARD}),
    "backward_transitive": frozenset({BACKWARD}),
    "forward": frozenset({FORWARD}),
    "forward_transitive": frozenset({FORWARD}),
    "full": BOTH,
    "full_transitive": BOTH,
    "none": NONE,
}


def modes_broken(directions: frozenset[str]) -> list[str]:
    """The declared modes that a change breaking `directions` violates (for messages and JSON)."""
    return sorted(mode for mode, promised in PROMISES.items() if promised & directions)


def short_modes(directions: frozenset[str]) -> str:
    """`backward` → 'backward and full'; both → 'backward, forward and full' (each also _transitive)."""
    names = sorted(directions) + (["full"] if directions else [])
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f" and {names[-1]}"


@dataclass(frozen=True)
class ChangeRule:
    """A compatibility rule: a stable code and ID, a purpose, categories and a pair handler."""

    code: str  # stable diagnostic code, e.g. BRK201
    id: str  # buf-style ID, e.g. FIELD_REMOVED
    element: str  # which pairs it sees: product, dataset, field, port, slos
    categories: tuple[str, ...]
    handler: Callable = field(compare=False, repr=False)
    breaks: str = "—"  # the directions its verdicts break, summarized for the docs table

    @property
    def purpose(self) -> str:
        return (self.handler.__doc__ or "").strip().splitlines()[0]

    @property
    def name(self) -> str:
        return "contracts." + self.id.lower().replace("_", "-")


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a product, classified by a rule."""

    rule: ChangeRule
    message: str  # what changed, e.g. "field 'user_id' of dataset 'orders' was removed"
    element: str  # dotted element path, e.g. orders.items.sku
    old: Location | None  # where in the previous version
    new: Location | None  # where in the current version
    breaks: frozenset[str] = NONE  # directions broken: backward, forward
    level: Severity = Severity.INFO  # severity when no promised direction is broken
    fix: str = ""
    dataset: str | None = None  # the dataset and field a consumer's input port may name
    field: str | None = None
    removes: bool = False  # the element is gone: every consumer that reads it breaks

    @property
    def location(self) -> Location:
        return self.new or self.old  # type: ignore[return-value]

    def to_dict(self) -> dict:
        def loc(location: Location | None):
            return None if location is None else {"file": location.file, "line": location.line,
                                                   "column": location.column}

        return {
            "rule": self.rule.id,
            "code": self.rule.code,
            "categories": list(self.rule.categories),
            "element": self.element,
            "message": self.message,
            "breaks": sorted(self.breaks),
            "breaksModes": modes_broken(self.breaks),
            "old": loc(self.old),
            "new": loc(self.new),
            "fix": self.fix,
        }
