"""Contract checks over a loaded mesh: the checking pass of `build`/`validate`, and the
comparison with a git revision behind `meshgen check --against REF`. Plain functions of the
mesh: they never import the driver (meshgen.planner) or the API (meshgen.api)."""

from __future__ import annotations

from meshgen.contracts.baseline import GitUnavailable, read_mesh_at
from meshgen.contracts.evolution import compare_meshes
from meshgen.contracts.versioning import policy_checks
from meshgen.clock import today
from meshgen.contracts.settings import config_location, load_settings
from meshgen.diagnostics import Diagnostic, Severity
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


def compare_with_revision(mesh: Mesh, ref: str) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """`meshgen check --against REF` over a loaded mesh: (settings problems or version-policy
    findings, the changes against REF). Products that failed to load are left out of both sides'
    comparison (not "removed"). A revision that cannot be read raises UsageError."""
    settings, problems = load_settings(mesh)
    if problems:
        return problems, []
    return policy_checks(mesh, settings, today()), _against(mesh, settings, ref, configured=False)
