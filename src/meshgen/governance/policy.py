"""Governance policy: which rules run, at which severity, with which options.

The mesh policy lives under `governance:` in meshgen.yaml. A domain may tighten it with
`<mesh root>/<domain>/governance.yaml` (same shape), which applies to every product whose
`domain:` is that folder's name. A domain may raise a severity, turn on a rule the mesh left
off (with its options), tighten a rule's options (each option declares how: a minimum may
rise, a required list may grow, an accepted list may shrink, a limit may drop; see
docs/rules.md) and shorten the longest waiver; lowering or disabling a mesh rule, loosening an
option, or lengthening waivers is itself an error (GOV002). A domain's options apply on top of
the mesh's: keys it does not name keep the mesh's value.

    governance:
      rules:
        PII001: error                       # a severity: off, info, warning, error
        naming: warning                     # a group: every rule in it
        naming.case:                        # a code or a dotted name
          severity: error
          options: {field: {case: snake}}
      waivers:
        maxDuration: 365d                   # the furthest expiry a waiver may have
        requireExpiry: true                 # a waiver without `expires` is an error
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field as F, ValidationError

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.governance.registry import Registry
from meshgen.governance.rule import Rule, RuleOptions
from meshgen.model.models import Duration
from meshgen.model.values import duration_seconds

DOMAIN_POLICY_FILE = "governance.yaml"
LEVELS = ("off", "info", "warning", "error")
Level = Literal["off", "info", "warning", "error"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RuleSetting(_Strict):
    severity: Optional[Level] = F(None, description="off, info, warning or error.")
    options: Optional[dict[str, Any]] = F(None, description="The rule's options (see docs/rules.md).")


class WaiverPolicy(_Strict):
    maxDuration: Optional[Duration] = F(None, description="The furthest a waiver's expiry may lie ahead (default 365d).")
    requireExpiry: Optional[bool] = F(None, description="A waiver without `expires` is an error (default true).")


class PolicyFile(_Strict):
    """The `governance:` section of meshgen.yaml, and a domain's governance.yaml."""

    rules: dict[str, Any] = F(default_factory=dict, description="Rule code, dotted name or group → severity or settings.")
    waivers: Optional[WaiverPolicy] = F(None, description="Limits on product waivers.")


@dataclass(frozen=True)
class RuleConfig:
    level: str  # off, info, warning, error
    options: RuleOptions

    @property
    def severity(self) -> Severity | None:
        return None if self.level == "off" else Severity.parse(self.level)


@dataclass
class Policy:
    rules: dict[str, RuleConfig]
    max_waiver_days: float = 365.0
    require_expiry: bool = True

    @classmethod
    def defaults(cls, registry: Registry) -> "Policy":
        return cls({code: RuleConfig(rule.default_level(), rule.Options()) for code, rule in registry.rules.items()})

    def copy(self) -> "Policy":
        return replace(self, rules=dict(self.rules))


class _Positions:
    """Positions inside a policy: meshgen.yaml seen from `governance:`, or a domain file."""

    def __init__(self, source, prefix: tuple):
        self.source, self.prefix = source, prefix

    def location(self, path=(), *, key: bool = False) -> Location:
        if self.source is None:
            return Location("meshgen.yaml")
        return self.source.location(self.prefix + tuple(path), key=key)


def _targets(key: str, registry: Registry) -> list[type[Rule]]:
    rule = registry.lookup(key)
    if rule is not None:
        return [rule]
    return [r for r in registry.rules.values() if key in r.groups]


def _unknown_hint(key: str, registry: Registry) -> str:
    known = list(registry.rules) + [r.name for r in registry.rules.values()] + sorted(registry.groups)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else "run `meshgen rules` for the codes, names and groups"


def _validate_file(data: Any, where: _Positions, code: str) -> tuple[PolicyFile, list[Diagnostic]]:
    """The policy's shape; each part that is wrong is reported and left out, the rest still applies."""
    from meshgen.model.loader import pydantic_diagnostics

    data = {} if data is None else data
    if not isinstance(data, dict):
        return PolicyFile(), [Diagnostic(code, Severity.ERROR, "a governance policy is a mapping with `rules:` and "
                                         "`waivers:`", where.location(()), "see docs/governance.md")]
    try:
        return PolicyFile.model_validate(data), []
    except ValidationError as exc:
        out = [Diagnostic(code, Severity.ERROR, d.message, d.location, d.hint.replace("docs/spec-reference.md", "docs/governance.md"))
               for d in pydantic_diagnostics(exc, data, where, PolicyFile)]
    good = {}
    for key in ("rules", "waivers"):
        try:
            good[key] = PolicyFile.model_validate({key: data[key]}).__dict__[key] if key in data else None
        except ValidationError:
            pass
    return PolicyFile(rules=good.get("rules") or {}, waivers=good.get("waivers")), out


def _setting(key: str, value: Any, where: _Positions, code: str) -> tuple[RuleSetting | None, list[Diagnostic]]:
    """`error` or `{severity: error, options: {...}}` → a RuleSetting."""
    from meshgen.model.loader import pydantic_diagnostics

    if isinstance(value, str):
        if value not in LEVELS:
            return None, [Diagnostic(code, Severity.ERROR, f"{key}: severity {value!r} is not one of {', '.join(LEVELS)}",
                                     where.location(("rules", key)), _close(value, LEVELS))]
        return RuleSetting(severity=value), []
    if not isinstance(value, dict):
        shown = "nothing (null)" if value is None else repr(value)
        return None, [Diagnostic(code, Severity.ERROR, f"{key}: expected a severity or a mapping, got {shown}",
                                 where.location(("rules", key)),
                                 "write a severity (off, info, warning, error) or {severity: ..., options: {...}}")]
    try:
        return RuleSetting.model_validate(value), []
    except ValidationError as exc:
        return None, [Diagnostic(code, Severity.ERROR, f"{key}: {d.message}", d.location,
                                 "write a severity (off, info, warning, error) or {severity: ..., options: {...}}")
                      for d in pydantic_diagnostics(exc, value, _Positions(where, ("rules", key)), RuleSetting)]


def _close(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(options)}"


def _options(rule: type[Rule], raw: dict, where: _Positions, path: tuple, code: str) -> tuple[RuleOptions | None, list[Diagnostic]]:
    from meshgen.model.loader import pydantic_diagnostics

    try:
        return rule.Options.model_validate(raw), []
    except ValidationError as exc:
        return None, [Diagnostic(code, Severity.ERROR, f"{rule.code} options: {d.message}", d.location,
                                 d.hint.replace("docs/spec-reference.md", "docs/rules.md"))
                      for d in pydantic_diagnostics(exc, raw, _Positions(where, path), rule.Options)]


def _merge(base: Any, override: Any) -> Any:
    """`override` on top of `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{k: _merge(base.get(k), v) for k, v in override.items()}}
    return override


def _severity_path(key: str, value) -> tuple:
    return ("rules", key) if isinstance(value, str) else ("rules", key, "severity")


def _settings(parsed, where, code: str, registry: Registry, out: list[Diagnostic]):
    """(key, raw value, the rules it names, its parsed setting) for each entry of a policy's `rules:`.

    Groups come first, then single rules, so `naming: warning` + `NAM002: error` means what it
    says. Unknown names and malformed settings are reported into `out` (as `code`) and skipped.
    """
    for key, value in sorted(parsed.rules.items(), key=lambda kv: (registry.lookup(kv[0]) is not None, kv[0])):
        targets = _targets(key, registry)
        if not targets:
            out.append(Diagnostic(code, Severity.ERROR, f"unknown rule or group {key!r}",
                                  where.location(("rules", key), key=True), _unknown_hint(key, registry)))
            continue
        setting, problems = _setting(key, value, where, code)
        out.extend(problems)
        if setting is not None:
            yield key, value, targets, setting


def mesh_policy(mesh, registry: Registry) -> tuple[Policy, list[Diagnostic]]:
    """The defaults, changed by `governance:` in meshgen.yaml. Problems are GOV001 errors there."""
    policy = Policy.defaults(registry)
    raw = mesh.config.governance
    if not raw:
        return policy, []
    where = _Positions(mesh.config_source, ("governance",))
    parsed, out = _validate_file(raw, where, "GOV001")
    for key, value, targets, setting in _settings(parsed, where, "GOV001", registry, out):
        if setting.options is not None and registry.lookup(key) is None:
            out.append(Diagnostic("GOV001", Severity.ERROR, f"options need one rule; {key!r} is a group",
                                  where.location(("rules", key, "options"), key=True),
                                  "set options under the rule's code or dotted name"))
            continue
        for rule in targets:
            current = policy.rules[rule.code]
            options = current.options
            if setting.options is not None:
                options, problems = _options(rule, setting.options, where, ("rules", key, "options"), "GOV001")
                out.extend(problems)
                if options is None:
                    continue
            policy.rules[rule.code] = RuleConfig(setting.severity or current.level, options)
    if parsed.waivers is not None:
        if parsed.waivers.maxDuration is not None:
            policy.max_waiver_days = duration_seconds(parsed.waivers.maxDuration) / 86400
        if parsed.waivers.requireExpiry is not None:
            policy.require_expiry = parsed.waivers.requireExpiry
    return policy, out


def domain_policy_path(mesh, domain: str) -> Path:
    return Path(mesh.root) / domain / DOMAIN_POLICY_FILE


def domain_policy(mesh, domain: str, base: Policy, registry: Registry) -> tuple[Policy, list[Diagnostic]]:
    """The mesh policy, tightened by `<root>/<domain>/governance.yaml` when that file exists."""
    from meshgen.load.yaml_source import load_yaml

    path = domain_policy_path(mesh, domain)
    if not os.path.lexists(path):  # a FIFO, a device or a symlink is refused when read, never skipped
        return base, []
    doc = load_yaml(path, root=Path(mesh.root))
    where = _Positions(doc.source, ())
    parsed, out = _validate_file(doc.data, where, "GOV003")
    policy = base.copy()
    for key, value, targets, setting in _settings(parsed, where, "GOV003", registry, out):
        for rule in targets:
            if not _tighten_rule(policy, domain, rule, key, value, setting, where, registry, out):
                break
    if parsed.waivers is not None:
        _tighten_waivers(policy, domain, parsed.waivers, where, out)
    return policy, out


def _tighten_rule(policy: Policy, domain: str, rule, key: str, value, setting, where: "_Positions",
                  registry: Registry, out: list[Diagnostic]) -> bool:
    """Apply a domain's setting of one rule to `policy`, refusing what loosens the mesh's
    (GOV002). False when the setting cannot apply to the rest of its group either."""
    current = policy.rules[rule.code]
    level, options = current.level, current.options
    if setting.severity is not None:
        if LEVELS.index(setting.severity) < LEVELS.index(current.level):
            out.append(Diagnostic(
                "GOV002", Severity.ERROR,
                f"domain {domain!r} may not loosen {rule.code} ({rule.name}) from {current.level} to {setting.severity}",
                where.location(_severity_path(key, value)),
                "a domain policy can only tighten the mesh policy; change meshgen.yaml, "
                "or waive single findings in the product with a justified, expiring waiver"))
        else:
            level = setting.severity
    if setting.options is not None:
        if registry.lookup(key) is None:
            out.append(Diagnostic("GOV003", Severity.ERROR, f"options need one rule; {key!r} is a group",
                                  where.location(("rules", key, "options"), key=True),
                                  "set options under the rule's code or dotted name"))
            return False
        # The domain's options apply on top of the mesh's: keys it does not name keep the mesh's value.
        merged = _merge(current.options.model_dump(), setting.options)
        parsed_options, problems = _options(rule, merged, where, ("rules", key, "options"), "GOV003")
        out.extend(problems)
        if parsed_options is not None:
            loosened = parsed_options.loosened(current.options) if current.level != "off" else []
            for option, problem in loosened:
                out.append(Diagnostic(
                    "GOV002", Severity.ERROR,
                    f"domain {domain!r} may not loosen {rule.code} ({rule.name}) option "
                    f"{'.'.join(map(str, option))}: {problem}",
                    where.location(("rules", key, "options") + option),
                    "a domain may tighten options (raise a minimum, turn a check on, require more, "
                    "accept less; docs/rules.md says how for each option); loosening is done in meshgen.yaml"))
            if not loosened:
                options = parsed_options
    if (level, options) != (current.level, current.options):
        policy.rules[rule.code] = RuleConfig(level, options)
    return True


def _tighten_waivers(policy: Policy, domain: str, w, where: "_Positions", out: list[Diagnostic]) -> None:
    """A domain may shorten waivers and require their expiry, never the reverse (GOV002)."""
    if w.maxDuration is not None:
        days = duration_seconds(w.maxDuration) / 86400
        if days > policy.max_waiver_days:
            out.append(Diagnostic("GOV002", Severity.ERROR,
                                  f"domain {domain!r} may not allow waivers longer than the mesh's "
                                  f"{policy.max_waiver_days:g} days",
                                  where.location(("waivers", "maxDuration")),
                                  "a domain may only shorten waivers"))
        else:
            policy.max_waiver_days = days
    if w.requireExpiry is not None:
        if policy.require_expiry and not w.requireExpiry:
            out.append(Diagnostic("GOV002", Severity.ERROR,
                                  f"domain {domain!r} may not allow waivers without an expiry",
                                  where.location(("waivers", "requireExpiry")),
                                  "a domain may only tighten the waiver policy"))
        else:
            policy.require_expiry = w.requireExpiry
