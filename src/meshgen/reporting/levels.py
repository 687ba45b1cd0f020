"""`diagnostics:` in meshgen.yaml: the level (off, note, warning, error) of a code or a family.

    diagnostics:
      SQL001: off        # one code
      PROTO: warning     # every code of a family; a code's own entry wins

Keys are checked against the declared codes (meshgen.reporting.codes): an unknown one is CONF004
at its position in meshgen.yaml with the nearest code suggested; so is a code whose level cannot
be set (reading files, the spec, meshgen.yaml itself) and a governance rule, which is set under
`governance:` (where domain policies may tighten it). `--strict` still makes a target's notes and
warnings errors: a level set here changes how loud a target is, not whether strict mode holds.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Iterable

from meshgen.diagnostics import Diagnostic, Location, Severity

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh


def _refusal(key: str) -> tuple[str, str] | None:
    """Why `key` cannot be set (message, hint), or None when it can."""
    from meshgen.reporting.codes import all_families, declared, families_by_prefix

    family = families_by_prefix().get(key) or (declared(key) and families_by_prefix().get(key.rstrip("0123456789")))
    if not family:
        known = sorted({f.prefix for f in all_families()} | {c.code for f in all_families() for c in f.codes})
        close = difflib.get_close_matches(key.upper(), known, n=1, cutoff=0.6)
        return (f"unknown diagnostic code or family {key!r}",
                (f"did you mean {close[0]!r}? " if close else "") + "docs/diagnostics.md lists every code")
    if family.docs == "docs/rules.md":
        return (f"{key} is a governance rule: its severity is set under governance:",
                f"write `governance: {{rules: {{{key}: off}}}}` (domain policies may tighten it)")
    if not family.configurable:
        return (f"the level of {key} cannot be set: it means the input cannot be used as written",
                "fix the input instead; docs/diagnostics.md says which codes are settable")
    return None


def configured_levels(mesh: "Mesh") -> tuple[dict[str, str], list[Diagnostic]]:
    """The settable levels of meshgen.yaml's `diagnostics:`, and a CONF004 for each refused key."""
    levels, problems = {}, []
    for key, level in (mesh.config.diagnostics or {}).items():
        refused = _refusal(key)
        if refused is None:
            levels[key] = level
            continue
        where = (mesh.config_source.location(("diagnostics", key), key=True) if mesh.config_source is not None
                 else Location(str(mesh.root / "meshgen.yaml")))
        problems.append(Diagnostic("CONF004", Severity.ERROR, refused[0], where, refused[1]))
    return levels, problems


def apply_levels(diagnostics: Iterable[Diagnostic], levels: dict[str, str], strict: bool = False) -> list[Diagnostic]:
    """Each diagnostic at its configured level (a code's entry, else its family's); `off` drops it.
    With `strict`, a target's notes and warnings are errors whatever level they were given."""
    from meshgen.reporting.codes import family_of, family_prefix

    out = []
    for d in diagnostics:
        level = levels.get(d.code) or levels.get(family_prefix(d.code))
        if level == "off":
            continue
        if level is not None:
            d = d.with_severity(Severity.parse(level))
        if strict and d.severity in (Severity.NOTE, Severity.WARNING):
            family = family_of(d.code)
            if family is not None and family.target:
                d = d.with_severity(Severity.ERROR)
        out.append(d)
    return out
