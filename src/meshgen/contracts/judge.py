"""Changes → diagnostics: the declared promise, the version bump and the mesh's consumers decide.

- A change that breaks a direction the previous version promised (`compatibility`) is an error.
- A change that removes, renames or breaks, in every direction, a field that a consumer's input
  port lists is an error naming the consumer, its owner team and the port, whatever the
  promise (even `none`); a change that breaks a consumer's field in one direction only is at
  least a warning naming them.
- A new major version is a new address: there, breaking changes are expected (info), and the
  consumers of the old version are named so they can migrate.
"""

from __future__ import annotations

import re

from meshgen.contracts.changes import BOTH, PROMISES, Change, short_modes
from meshgen.diagnostics import Diagnostic, Severity
from meshgen.mesh.resolved import InputLink
from meshgen.model.loader import ProductFile


def name_consumers(consumers: list[InputLink]) -> str:
    shown = [c.describe() for c in consumers]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?")


def semver_key(version: str) -> tuple:
    """Order semantic versions; a pre-release sorts before its release."""
    m = _SEMVER.match(version)
    if not m:
        return (0, 0, 0, 0, "")
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), 0 if m.group(4) else 1, m.group(4) or "")


def judge(changes: list[Change], old: ProductFile, new: ProductFile,
          consumers: list[InputLink] | None, promise: str | None = None) -> list[Diagnostic]:
    """Diagnostics for the changes from `old` to `new`: one per change, in order, then the version checks.

    `consumers` are the input ports that read the previous version in the current mesh
    (`Mesh.consumers(address)`);
    None when the mesh is unknown (two files compared alone). `promise` is the compatibility
    mode to judge by (default: the one `old` declares).
    """
    promise = promise or old.product.compatibility
    promised = PROMISES[promise]
    new_major = new.product.major > old.product.major
    out: list[Diagnostic] = []
    breaking = 0
    for change in changes:
        severity = change.level
        message = change.message
        if change.breaks:
            message += f" (breaks {short_modes(change.breaks)} compatibility)"
        if change.breaks & promised:
            severity = Severity.ERROR
            message += f"; {old.product.address} promises `compatibility: {promise}`"
        hard = change.removes or change.breaks == BOTH
        # The consumers this change breaks or takes a field from (other changes name nobody).
        named = [c for c in consumers or [] if c.uses(change.dataset, change.field)] if change.breaks or hard else []
        if named:
            verb = "used" if change.field else "read"
            message += f"; {verb} by {name_consumers(named)}"
            severity = max(severity, Severity.ERROR if hard else Severity.WARNING)
        elif consumers is not None and change.removes:
            message += "; no known consumer uses it"
        hint = change.fix
        if new_major and severity > Severity.INFO and change.breaks:
            severity = Severity.INFO if not named else Severity.WARNING
            message += f"; allowed by the new major version {new.product.address}"
            hint = (f"consumers of {old.product.address} must migrate before it retires"
                    if named else "keep the previous major version published until its consumers migrate")
        if severity is Severity.ERROR:
            breaking += 1
        related = tuple(loc for loc in (change.old,) if loc is not None and loc != change.new)
        related += tuple(c.location for c in named)
        out.append(Diagnostic(change.rule.code, severity, message, change.location, hint, change.rule.name, related))
    out.extend(version_bump(changes, old, new, breaking))
    return out


def version_bump(changes: list[Change], old: ProductFile, new: ProductFile, breaking: int) -> list[Diagnostic]:
    """VERSION001-003: the version number must move forward, and by a major step for breaking changes."""
    o, n = old.product.version, new.product.version
    where, was = new.location("version"), old.location("version")
    out = []
    if semver_key(n) < semver_key(o):
        out.append(Diagnostic("VERSION001", Severity.ERROR, f"version went backwards from {o} to {n}", where,
                              f"a new version must be greater than {o}", "contracts.version-backwards", (was,)))
    elif breaking and new.product.major == old.product.major:
        bump = "no version change" if n == o else ("a patch bump" if semver_key(n)[:2] == semver_key(o)[:2]
                                                  else "a minor bump")
        out.append(Diagnostic(
            "VERSION002", Severity.ERROR,
            f"{o} → {n} is {bump} but ships {breaking} breaking change{'s' if breaking != 1 else ''}",
            where, f"make the changes additive, or publish {new.product.major + 1}.0.0 as a new address beside "
                   f"v{old.product.major} ({new.product.domain}/{new.product.name}/v{new.product.major + 1}/"
                   "dataproduct.yaml)", "contracts.breaking-without-major", (was,)))
    elif n == o and any("metadata" not in c.rule.categories for c in changes):
        out.append(Diagnostic("VERSION003", Severity.WARNING, f"the contract changed but the version is still {o}",
                              where, "bump the minor version for additions, the patch version for fixes",
                              "contracts.version-not-bumped", (was,)))
    return out


__all__ = ["judge", "name_consumers", "semver_key", "version_bump"]
