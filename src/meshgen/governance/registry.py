"""Every rule meshgen knows: the built-in ones, then third-party ones from entry points.

A plugin package declares its rules in the entry-point group `meshgen.rules`:

    [project.entry-points."meshgen.rules"]
    ACME001 = "acme_rules.tags:TagsRequired"
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field

from meshgen.governance.rule import Rule

ENTRY_POINT_GROUP = "meshgen.rules"

BUILTIN_RULES: tuple[str, ...] = (
    "meshgen.governance.rules.pii001:PiiProtectionRequired",
    "meshgen.governance.rules.pii002:PiiProductClassification",
    "meshgen.governance.rules.nam001:NamingConvention",
    "meshgen.governance.rules.nam002:ReservedWords",
    "meshgen.governance.rules.own001:OwnerContactRequired",
    "meshgen.governance.rules.doc001:DescriptionRequired",
    "meshgen.governance.rules.doc002:FieldDescriptionRequired",
    "meshgen.governance.rules.slo001:RequiredSlos",
    "meshgen.governance.rules.slo002:FreshnessAchievable",
    "meshgen.governance.rules.slo003:AccuracyMeasured",
    "meshgen.governance.rules.key001:PrimaryKeyRequired",
    "meshgen.governance.rules.dep001:DeprecatedFieldComplete",
    "meshgen.governance.rules.dep002:DeprecatedProductComplete",
)

CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}[0-9]{3}$")
NAME = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$")


@dataclass
class Registry:
    rules: dict[str, type[Rule]] = field(default_factory=dict)  # code → rule class, sorted by code
    problems: list[str] = field(default_factory=list)  # plugins that could not be loaded

    def lookup(self, key: str) -> type[Rule] | None:
        """A rule by its code or its dotted name."""
        if key in self.rules:
            return self.rules[key]
        return next((r for r in self.rules.values() if r.name == key), None)

    @property
    def groups(self) -> set[str]:
        return {g for r in self.rules.values() for g in r.groups}

    def _add(self, rule: object, origin: str) -> None:
        if not (isinstance(rule, type) and issubclass(rule, Rule)):
            self.problems.append(f"{origin} is not a meshgen Rule class")
            return
        if not CODE.match(rule.code) or not NAME.match(rule.name):
            self.problems.append(f"{origin}: code {rule.code!r} or name {rule.name!r} is malformed "
                                 "(code like ACME001, dotted name like acme.tags-required)")
            return
        clash = self.lookup(rule.code) or self.lookup(rule.name)
        if clash is not None:
            self.problems.append(f"{origin}: {rule.code} ({rule.name}) is already defined by "
                                 f"{clash.__module__}.{clash.__qualname__}")
            return
        self.rules[rule.code] = rule


def _import(spec: str) -> object:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def load_registry() -> Registry:
    """The built-in rules, then every rule registered under the `meshgen.rules` entry points."""
    from importlib.metadata import entry_points

    registry = Registry()
    for spec in BUILTIN_RULES:
        registry._add(_import(spec), spec)
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        origin = f"entry point {ep.name} = {ep.value}"
        try:
            rule = ep.load()
        except Exception as exc:  # a broken plugin is reported, never a traceback
            registry.problems.append(f"{origin} could not be loaded: {type(exc).__name__}: {exc}")
            continue
        registry._add(rule, origin)
    registry.rules = dict(sorted(registry.rules.items()))
    return registry
