"""`meshgen diff OLD NEW` and `meshgen changelog OLD NEW`: two product files, from disk or git.

A file argument is a path, or `REV:path` to read it from git at a revision. As with `git show`,
`REV:path` is relative to the repository's top folder (`main:specs/x.yaml`, the form meshgen
prints in related positions) and `REV:./path` or `REV:../path` to the current folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from meshgen.contracts.baseline import read_file_at, repository_root
from meshgen.contracts.judge import judge
from meshgen.contracts.rules import compare
from meshgen.diagnostics import Diagnostic, DiagnosticList, Location, Severity
from meshgen.errors import InputError, MeshgenError, UsageError, ViolationsFound
from meshgen.mesh.resolved import InputLink
from meshgen.model.loader import ProductFile, load_product


def load_version(spec: str) -> ProductFile:
    """A product file from a path or `REV:path`. Raises InputError/UsageError/ViolationsFound."""
    path = Path(spec)
    if path.exists() or ":" not in spec:
        if not path.exists():
            raise UsageError(f"{spec} does not exist", [Diagnostic(
                "LOAD007", Severity.ERROR, f"file not found: {spec}", Location(spec),
                "pass a dataproduct.yaml, or REV:path to read it from git")])
        pf, diags = load_product(path)
    else:
        rev, _, rel = spec.partition(":")
        top = repository_root(Path.cwd())
        if top is None or not rev:
            raise UsageError(f"{spec}: not a file, and not REV:path inside a git repository", [Diagnostic(
                "LOAD007", Severity.ERROR, f"file not found: {spec}", Location(spec),
                "pass a dataproduct.yaml, or REV:path from inside a git repository")])
        base = Path.cwd() if rel.startswith(("./", "../")) or rel in (".", "..") else top
        try:
            rel_top = (base / rel).resolve().relative_to(top.resolve()).as_posix()
        except ValueError:
            raise UsageError(f"{rel} is outside the repository {top}", [Diagnostic(
                "LOAD007", Severity.ERROR, f"{rel} is outside the git repository {top}", Location(spec),
                "REV:path names a file of the repository that holds the current folder")]) from None
        pf, diags = read_file_at(top, rev, rel_top)
    if pf is None or any(d.severity is Severity.ERROR for d in diags):
        raise ViolationsFound(f"{spec} is not a valid product", diags)
    return pf


def mesh_consumers(new_spec: str, address: str) -> list[InputLink] | None:
    """The consumers of `address` in the mesh around NEW, or None when NEW is not in a mesh."""
    from meshgen.mesh.loader import find_mesh_root, load_mesh

    path = Path(new_spec)
    if not path.is_file() or find_mesh_root(path.resolve()) is None:
        return None
    try:
        mesh, _ = load_mesh(path)
    except MeshgenError:
        return None
    return mesh.consumers(address)


@dataclass
class DiffResult:
    old: ProductFile
    new: ProductFile
    diagnostics: DiagnosticList
    hidden: int = 0  # informational changes left out (without --all)


def diff(old_spec: str, new_spec: str, *, show_info: bool = True, ignore: tuple[str, ...] = ()) -> DiffResult:
    old, new = load_version(old_spec), load_version(new_spec)
    if (old.product.domain, old.product.name) != (new.product.domain, new.product.name):
        raise UsageError("not two versions of one product", [Diagnostic(
            "VERSION000", Severity.ERROR,
            f"{new.product.address} is not a version of data://{old.product.domain}/{old.product.name}",
            new.location("name"), "compare two versions of the same domain/name", related=(old.location("name"),))])
    consumers = mesh_consumers(new_spec, old.product.address)
    found = judge(compare(old, new, ignore), old, new, consumers)
    shown = found if show_info else [d for d in found if d.severity > Severity.INFO]
    return DiffResult(old, new, DiagnosticList(shown), hidden=len(found) - len(shown))


__all__ = ["DiffResult", "InputError", "diff", "load_version", "mesh_consumers"]
