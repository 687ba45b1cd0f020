"""The target registry. Targets are imported only when a build asks for them."""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from meshgen.targets.base import Target, TemplateInfo

ENTRY_POINT_GROUP = "meshgen.targets"

# A target module declares its target as a class statement naming `Target` as its base, with
# `name = "..."` among the class's own lines. Reading that off the sources finds every built-in
# target without importing any (importing them all costs ~0.4 s) and without a hand-kept list:
# adding a target is adding its module. tests/targets/test_discovery.py imports every module of
# the package and checks that this scan finds exactly the Target subclasses they define.
_CLASS = re.compile(r"^class (?P<cls>[A-Za-z_]\w*)\((?:\w+\.)*Target\):", re.M)
_BODY_END = re.compile(r"^\S", re.M)
_NAME = re.compile(r'^[ \t]+name(?:: *\w+)? *= *"(?P<name>[a-z][a-z0-9-]*)"[ \t]*$', re.M)


def _declared(source: str):
    """(class, target name) of each class in a module's source that declares a target."""
    for match in _CLASS.finditer(source):
        end = _BODY_END.search(source, match.end())
        name = _NAME.search(source, match.end(), end.start() if end else len(source))
        if name:
            yield match["cls"], name["name"]


@functools.cache
def builtin_targets() -> dict[str, str]:
    """name → "module:Class" of every target module in this package (on its __path__)."""
    found: dict[str, str] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        folder = Path(getattr(module.module_finder, "path", ""))
        source = folder / module.name / "__init__.py" if module.ispkg else folder / f"{module.name}.py"
        if module.name.startswith("_") or not source.is_file():
            continue
        text = source.read_text(encoding="utf-8")
        for cls, name in _declared(text) if "Target):" in text else ():
            spec = f"{__name__}.{module.name}:{cls}"
            if found.setdefault(name, spec) != spec:
                raise RuntimeError(f"two built-in targets are named {name!r}: {found[name]} and {spec}")
    return dict(sorted(found.items()))


def available_targets() -> dict[str, str]:
    """The built-in targets, then those third-party packages register under the entry-point
    group meshgen.targets (a built-in name wins)."""
    found = dict(builtin_targets())  # a copy: builtin_targets() is cached and must stay the package's own
    for name, value in _registered_targets(tuple(sys.path)):
        found.setdefault(name, value)
    return found


@functools.lru_cache(maxsize=4)
def _registered_targets(path: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(name, "module:Class") of the entry points in group meshgen.targets on `path` (sys.path):
    read once per search path, not for each target a command loads (reading every installed
    distribution's metadata costs ~10 ms, and a build asks some 70 times)."""
    from importlib.metadata import entry_points

    return tuple((ep.name, ep.value) for ep in entry_points(group=ENTRY_POINT_GROUP))


def load_target(name: str) -> type["Target"]:
    spec = available_targets()[name]
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def declared_templates(names: list[str] | None = None) -> dict[str, tuple["TemplateInfo", list[str]]]:
    """Template name → (what it renders and its variables, the targets that render it), for the
    given targets (default: the built-in ones)."""
    found: dict[str, tuple["TemplateInfo", list[str]]] = {}
    for name in sorted(names if names is not None else builtin_targets()):
        for template, info in load_target(name).templates.items():
            found.setdefault(template, (info, []))[1].append(name)
    return dict(sorted(found.items()))


def templates_markdown() -> str:
    """The generated part of docs/templates.md: every built-in template and its variables."""
    lines = []
    for template, (info, users) in declared_templates().items():
        lines += [f"### `{template}`", "", f"{info.what[:1].upper()}{info.what[1:]}. Rendered by: "
                  + ", ".join(f"`{u}`" for u in users) + ".", "", "| variable | what it holds |", "|---|---|"]
        lines += [f"| `{var}` | {meaning} |" for var, meaning in info.variables]
        lines.append("")
    return "\n".join(lines)
