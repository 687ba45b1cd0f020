"""Product waivers: justified, temporary exceptions that silence one rule at one path.

    governance:
      waivers:
        - rule: DEP001                         # a rule code or dotted name
          path: datasets.orders.fields.user_id # the path the finding reports
          reason: Legacy consumers are migrating to customer_id.
          expires: 2027-01-31

A valid waiver turns the matching finding into a suppressed one (kept in JSON and SARIF
output, hidden from the human report, never failing a build). A waiver without a reason,
without an expiry (unless the policy allows it), expiring further ahead than the policy's
`maxDuration`, or already expired is an error and silences nothing. A waiver for an unknown
rule, or that matches no finding, is a warning: it is stale and should go.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, replace

from meshgen.diagnostics import Diagnostic, Severity
from meshgen.governance.policy import Policy
from meshgen.governance.registry import Registry
from meshgen.governance.rule import Finding, Rule
from meshgen.model.loader import ProductFile


@dataclass
class Result:
    """One finding of one rule, as a diagnostic, with the path a waiver would name."""

    rule: type[Rule]
    finding: Finding
    diagnostic: Diagnostic


def apply_waivers(pf: ProductFile, results: list[Result], policy: Policy, registry: Registry,
                  today: dt.date) -> list[Diagnostic]:
    """The product's diagnostics after its waivers, plus the waivers' own problems."""
    out: list[Diagnostic] = []
    valid: list[tuple[int, object, type[Rule]]] = []
    for i, w in enumerate(pf.product.governance.waivers):
        here = ("governance", "waivers", i)
        ok = _waiver_is_valid(pf, w, here, policy, today, out)
        rule = registry.lookup(w.rule)
        if rule is None:
            out.append(Diagnostic("GOV014", Severity.WARNING, f"waiver names {w.rule!r}, which is not a governance rule",
                                  pf.location(*here, "rule"),
                                  "use a rule code or dotted name from `meshgen rules`; core checks (LOAD, SPEC, "
                                  "MESH, REF) cannot be waived"))
            continue
        if ok:
            valid.append((i, w, rule))

    used: set[int] = set()
    for result in results:
        diag = result.diagnostic
        for i, w, rule in valid:
            if rule is result.rule and w.path == result.finding.place.path:
                diag = replace(diag, suppressed_by=w.reason.strip())
                used.add(i)
                break
        out.append(diag)
    for i, w, rule in valid:
        if i not in used:
            paths = sorted({r.finding.place.path for r in results if r.rule is rule})
            close = difflib.get_close_matches(w.path, paths, n=1, cutoff=0.6)
            hint = (f"did you mean path {close[0]!r}? {rule.code} reports a finding there" if close else
                    "the finding is fixed or the path is wrong (each finding's hint names its waiver path); "
                    "remove the waiver or correct it")
            out.append(Diagnostic("GOV013", Severity.WARNING,
                                  f"waiver for {rule.code} ({rule.name}) at {w.path} matches no finding",
                                  pf.location("governance", "waivers", i, "path"), hint))
    return out


def _waiver_is_valid(pf: ProductFile, w, here: tuple, policy: Policy, today: dt.date,
                     out: list[Diagnostic]) -> bool:
    """A waiver gives a reason and expires within the policy's limit (GOV010-GOV012)."""
    ok = True
    if not (w.reason or "").strip():
        out.append(Diagnostic("GOV010", Severity.ERROR, f"waiver for {w.rule} at {w.path} gives no reason",
                              pf.location(*here, "reason") if w.reason is not None else pf.location(*here),
                              "add `reason:` saying why the exception is justified and what ends it"))
        ok = False
    if w.expires is None:
        if policy.require_expiry:
            out.append(Diagnostic("GOV011", Severity.ERROR, f"waiver for {w.rule} at {w.path} never expires",
                                  pf.location(*here), f"add `expires:` within {policy.max_waiver_days:g} days"))
            ok = False
    elif w.expires < today:
        out.append(Diagnostic("GOV012", Severity.ERROR,
                              f"waiver for {w.rule} at {w.path} expired on {w.expires.isoformat()}",
                              pf.location(*here, "expires"),
                              "fix the finding and remove the waiver, or renew it with a new reason and date"))
        ok = False
    elif (w.expires - today).days > policy.max_waiver_days:
        out.append(Diagnostic("GOV011", Severity.ERROR,
                              f"waiver for {w.rule} at {w.path} expires {w.expires.isoformat()}, more than "
                              f"{policy.max_waiver_days:g} days ahead",
                              pf.location(*here, "expires"),
                              f"waivers are temporary: choose a date before {(today + dt.timedelta(days=int(policy.max_waiver_days))).isoformat()}"))
        ok = False
    return ok
