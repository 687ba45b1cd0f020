"""The public API: check a mesh, build it. The CLI only calls these.

    load (text → data + positions) → spec models → mesh (references resolved)
      → checking passes (governance, contracts) → targets → atomic write + manifest
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from meshgen.diagnostics import Diagnostic, DiagnosticList, Location, Severity
from meshgen.errors import UsageError, ViolationsFound
from meshgen.mesh.loader import load_mesh
from meshgen.mesh.model import Mesh

# Passes that read the resolved mesh and report diagnostics, in order: "module:function",
# each `function(mesh) -> list[Diagnostic]`. Imported only when a check runs.
CHECK_PASSES: list[str] = [
    "meshgen.governance.engine:check_mesh",
    "meshgen.contracts.passes:check_contracts",
]


@dataclass
class CheckResult:
    mesh: Mesh
    diagnostics: DiagnosticList


@dataclass
class BuildResult(CheckResult):
    output: Path | None = None
    written: list[str] = field(default_factory=list)


def _pass(spec: str) -> Callable[[Mesh], list[Diagnostic]]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def check(path: Path | str | None = None, *, output: Path | None = None) -> CheckResult:
    """Load the mesh at `path` and run every checking pass. Raises InputError for unreadable input."""
    mesh, diagnostics = load_mesh(path, output=output)
    found = DiagnosticList(list(diagnostics))
    if not any(d.severity is Severity.ERROR and d.code.startswith(("LOAD", "SPEC", "CONF")) for d in diagnostics):
        for spec in CHECK_PASSES:
            found.extend(_pass(spec)(mesh))
    return CheckResult(mesh, _relevant(mesh, found))


def _relevant(mesh: Mesh, diagnostics: DiagnosticList) -> DiagnosticList:
    """When acting on some products of a mesh, report what concerns those products."""
    if len(mesh.selected) == len(mesh.products):
        return diagnostics
    others = {pf.source.file for pf in mesh.products if pf.path not in mesh.selected}
    return DiagnosticList([d for d in diagnostics.items if d.location.file not in others])


def output_dir(mesh: Mesh, output: Path | None) -> Path:
    return Path(output) if output is not None else mesh.root / mesh.config.output


def product_dir(pf) -> str:
    p = pf.product
    return f"{p.domain}/{p.name}/v{p.major}"


def build(path: Path | str | None = None, *, output: Path | None = None, targets: list[str] | None = None,
          strict: bool | None = None) -> BuildResult:
    """Check the mesh and, when no error remains, write every target's artifacts atomically."""
    from meshgen.output import write_tree
    from meshgen.render import renderer_for
    from meshgen.targets import available_targets, load_target
    from meshgen.targets.base import TargetContext

    result = check(path, output=output)
    mesh, diagnostics = result.mesh, result.diagnostics
    out = output_dir(mesh, output)
    if diagnostics.has_errors:
        raise ViolationsFound("the mesh has errors; nothing was written", diagnostics.sorted())

    known = available_targets()
    options = mesh.config.target_options()
    names = list(targets) if targets else (list(options) or _default_targets(known))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"unknown target {unknown[0]!r}", [Diagnostic(
            "CONF002", Severity.ERROR, f"unknown target {unknown[0]!r}", _config_location(mesh, "targets"),
            f"available targets: {', '.join(sorted(known))}")])

    templates = mesh.root / mesh.config.templates if mesh.config.templates else None
    context = TargetContext(mesh=mesh, renderer=renderer_for(str(templates) if templates else None),
                            strict=mesh.config.strict if strict is None else strict)
    files: dict[str, str] = {}
    selected = mesh.selected_products()
    for name in sorted(names):
        cls = load_target(name)
        target = cls(context, _target_options(mesh, cls, options.get(name, {})))
        if cls.scope == "mesh":
            for artifact in target.generate_mesh():
                files[f"_mesh/{name}/{artifact.path}"] = artifact.content
            continue
        for pf in selected:
            for artifact in target.generate(pf):
                files[f"{product_dir(pf)}/{name}/{artifact.path}"] = artifact.content
    diagnostics.extend(context.diagnostics)
    if diagnostics.has_errors:
        raise ViolationsFound("a target could not express the mesh; nothing was written", diagnostics.sorted())
    partial = len(selected) != len(mesh.products)
    written = write_tree(out, files, keep_from_previous=partial,
                         replace_prefixes=tuple(product_dir(pf) for pf in selected) + ("_mesh",))
    before = len(context.diagnostics)
    for action in context.after_write:
        action()
    diagnostics.extend(context.diagnostics[before:])
    return BuildResult(mesh, diagnostics, out, written)


def _default_targets(known: dict[str, str]) -> list[str]:
    """Every known target whose optional packages (its class's `requires`, module names) are installed."""
    from importlib.util import find_spec

    from meshgen.targets import load_target

    return sorted(n for n in known if all(find_spec(m) is not None for m in getattr(load_target(n), "requires", ())))


def _config_location(mesh: Mesh, key: str) -> Location:
    if mesh.config_source is not None:
        return mesh.config_source.location((key,))
    return Location(str(mesh.root / "meshgen.yaml"))


def _target_options(mesh: Mesh, cls, raw: dict):
    from pydantic import ValidationError

    from meshgen.load.yaml_source import SourceMap
    from meshgen.model.loader import pydantic_diagnostics

    try:
        return cls.Options.model_validate(raw)
    except ValidationError as exc:
        source = mesh.config_source or SourceMap(str(mesh.root / "meshgen.yaml"))
        diags = pydantic_diagnostics(exc, raw, _Shifted(source, ("targets", cls.name)), cls.Options)
        raise ViolationsFound(f"bad options for target {cls.name}", diags) from None


class _Shifted:
    """A source map seen from a sub-path (target options inside meshgen.yaml)."""

    def __init__(self, source, prefix: tuple):
        self.source, self.prefix = source, prefix

    def location(self, path=(), *, key: bool = False) -> Location:
        return self.source.location(self.prefix + tuple(path), key=key)
