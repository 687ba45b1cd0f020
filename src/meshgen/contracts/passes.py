"""Entry points: the `meshgen build`/`validate` pass, and `meshgen check --against REF`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from meshgen.build import CheckResult, _relevant
from meshgen.contracts.baseline import GitUnavailable, read_mesh_at
from meshgen.contracts.evolution import compare_meshes
from meshgen.contracts.versioning import policy_checks
from meshgen.clock import today
from meshgen.contracts.settings import config_location, load_settings
from meshgen.diagnostics import Diagnostic, DiagnosticList, Severity
from meshgen.errors import UsageError
from meshgen.mesh.model import Mesh


def check_contracts(mesh: Mesh) -> list[Diagnostic]:
    """The build pass: version policy always; the baseline comparison when `contracts.baseline` is set."""
    settings, problems = load_settings(mesh)
    if problems:
        return problems
    out = policy_checks(mesh, settings, today())
    if settings.baseline and not mesh.standalone:
        out.extend(d for d in _against(mesh, settings, settings.baseline, configured=True)
                   if d.severity >= Severity.WARNING)
    return out


def _against(mesh: Mesh, settings, ref: str, configured: bool) -> list[Diagnostic]:
    try:
        baseline = read_mesh_at(mesh.root, mesh.config, ref, output_dir=mesh.root / mesh.config.output)
    except GitUnavailable as exc:
        if not configured:
            raise UsageError(f"cannot compare with {ref}: {exc}", [Diagnostic(
                "BASE004", Severity.ERROR, f"cannot compare with {ref!r}: {exc}", config_location(mesh),
                "run inside a git repository (git init; git commit) or use `meshgen diff OLD NEW`")]) from None
        return [Diagnostic("BASE004", Severity.WARNING,
                           f"contracts.baseline is {ref!r} but the mesh is not in a git repository; not compared",
                           config_location(mesh, "contracts", "baseline"),
                           "commit the mesh to git, or remove contracts.baseline", "contracts.no-repository")]
    except UsageError as exc:
        if not configured:
            raise
        return [Diagnostic("BASE001", Severity.ERROR, exc.diagnostics[0].message if exc.diagnostics else str(exc),
                           config_location(mesh, "contracts", "baseline"),
                           "fetch the revision first (in CI: git fetch origin main), or change contracts.baseline",
                           "contracts.baseline-missing")]
    return compare_meshes(baseline, mesh, settings)


@dataclass
class AgainstResult(CheckResult):
    hidden: int = 0  # informational changes left out (without --all)


def check_against(path: Path | str | None, ref: str, *, show_info: bool = False) -> AgainstResult:
    """`meshgen check --against REF`: load the mesh and compare it with REF."""
    from meshgen.mesh.loader import load_mesh

    mesh, diagnostics = load_mesh(path)
    found = DiagnosticList(list(diagnostics))
    settings, problems = load_settings(mesh)
    found.extend(problems)
    hidden = 0
    if not problems:
        # Products that failed to load are left out of both sides' comparison (not "removed").
        found.extend(policy_checks(mesh, settings, today()))
        changes = _relevant(mesh, DiagnosticList(_against(mesh, settings, ref, configured=False))).items
        shown = changes if show_info else [d for d in changes if d.severity > Severity.INFO]
        hidden = len(changes) - len(shown)
        found.extend(shown)
    return AgainstResult(mesh, _relevant(mesh, found), hidden)
