"""Every rule meshgen knows: the built-in ones, then third-party ones from entry points.

A built-in rule is one module of `meshgen.governance.rules` named by its code (nam002.py) that
defines one `Rule` subclass; nothing lists them, `builtin_rules` finds them.

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


def builtin_rules() -> list[tuple[str, type[Rule]]]:
    """("module:Class", class) of every Rule subclass defined in a module of meshgen.governance.rules."""
    import pkgutil

    from meshgen.governance import rules as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found += [(f"{module.__name__}:{value.__qualname__}", value) for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__]
    return found


def load_registry() -> Registry:
    """The built-in rules, then every rule registered under the `meshgen.rules` entry points."""
    from importlib.metadata import entry_points

    registry = Registry()
    for spec, rule in builtin_rules():
        registry._add(rule, spec)
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
