"""The mesh as it was at a git revision, read with `git` plumbing; the working tree is never touched.

Files are read with `git ls-tree` and `git show REV:path` and parsed from text, so positions
in diagnostics read like `main:specs/checkout/orders/v1/dataproduct.yaml:44:9`.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.errors import InputError, UsageError
from meshgen.load.files import MAX_FILE_BYTES
from meshgen.load.yaml_source import parse_yaml
from meshgen.mesh.config import MeshConfig
from meshgen.model.loader import ProductFile, validate_document

_GIT_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


class GitUnavailable(Exception):
    """git is missing, or the folder is not inside a git repository."""


def _git(cwd: Path, *args: str) -> bytes:
    """Run git. Callers put `--end-of-options` or `--` before every revision and path they pass,
    so that no value from the command line or the repository is read as an option."""
    try:
        done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=False,
                              env={**os.environ, **_GIT_ENV}, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise GitUnavailable("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        if "dubious ownership" in message or "safe.directory" in message:
            raise UsageError(f"git refuses the repository at {cwd}", [Diagnostic(
                "BASE005", Severity.ERROR, f"git refuses to read the repository at {cwd}: it belongs to another "
                "user (git's safe.directory check)", Location(str(cwd)),
                f"mark it as trusted: git config --global --add safe.directory {cwd} "
                "(in a container, the checkout is often owned by another user)")])
        raise GitUnavailable(message or f"git {args[0]} failed")
    return done.stdout


def _check_revision(ref: str) -> None:
    if not ref or ref.startswith("-") or any(ch in ref for ch in "\0\n\r") or ":" in ref:
        raise UsageError(f"{ref!r} is not a git revision", [Diagnostic(
            "BASE001", Severity.ERROR, f"{ref!r} is not a git revision", Location(ref or "(empty)"),
            "name a branch, tag or commit (a revision never starts with '-')")])


def repository_root(path: Path) -> Path | None:
    """The top folder of the git repository that holds `path`, or None."""
    folder = path if path.is_dir() else path.parent
    try:
        return Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip())
    except GitUnavailable:
        return None


def resolve_revision(top: Path, ref: str) -> str:
    """The commit id of `ref`; UsageError (exit 2) when it names no commit."""
    _check_revision(ref)
    try:
        return _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").decode().strip()
    except GitUnavailable:
        raise UsageError(f"{ref!r} is not a commit in {top}", [Diagnostic(
            "BASE001", Severity.ERROR, f"git revision {ref!r} not found in {top}", Location(str(top)),
            "name a branch, tag or commit that exists (git log --oneline shows them); "
            "in CI, fetch it first (git fetch origin main)")]) from None


@dataclass
class Baseline:
    """Product files of the mesh at a revision."""

    ref: str
    commit: str
    top: Path  # the repository's top folder
    products: list[ProductFile]
    paths: dict[str, str]  # address → repository-relative path
    diagnostics: list[Diagnostic]


def read_file_at(top: Path, ref: str, rel: str, commit: str | None = None) -> tuple[ProductFile | None, list[Diagnostic]]:
    """One product file as it was at `ref` (positions shown as `ref:rel`). Raises InputError."""
    shown = f"{ref}:{rel}"
    # A commit id: the object name below starts with hex digits and can never be read as an option.
    commit = commit or resolve_revision(top, ref)
    obj = f"{commit}:{rel}"
    try:
        kind = _git(top, "cat-file", "-t", obj).decode().strip()
        size = int(_git(top, "cat-file", "-s", obj).decode().strip())
        if kind != "blob":
            raise GitUnavailable(f"{shown} is a {kind}, not a file")
        if size > MAX_FILE_BYTES:
            raise InputError(f"{shown} is too large", [Diagnostic(
                "LOAD009", Severity.ERROR, f"{shown} is {size} bytes; the limit is {MAX_FILE_BYTES}",
                Location(shown), "split the product, or check that this is the right file")])
        raw = _git(top, "cat-file", "blob", obj)
    except GitUnavailable as exc:
        raise InputError(f"cannot read {shown}", [Diagnostic(
            "BASE002", Severity.ERROR, f"cannot read {shown} from git: {exc}", Location(shown),
            "check the revision and the path (relative to the repository's top folder)")]) from None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise InputError(f"{shown} is not UTF-8", [Diagnostic(
            "LOAD005", Severity.ERROR, f"{shown} is not valid UTF-8", Location(shown), "save the file as UTF-8")]) from None
    return validate_document(parse_yaml(text, shown, Path(rel)))


def read_mesh_at(mesh_root: Path, config: MeshConfig, ref: str, output_dir: Path | None = None) -> Baseline:
    """Every product file of the mesh at `ref`, found with the current mesh's `products`/`exclude` globs.

    Raises GitUnavailable when the mesh is not in a git repository, UsageError for an unknown ref.
    A baseline file that no longer parses is reported as a warning and left out.
    """
    top = repository_root(mesh_root)
    if top is None:
        raise GitUnavailable(f"{mesh_root} is not in a git repository")
    commit = resolve_revision(top, ref)
    prefix = mesh_root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    listing = _git(top, "ls-tree", "-r", "-z", "--name-only", commit, "--", prefix or ".").decode("utf-8", "replace")
    out_prefix = None
    if output_dir is not None:
        try:
            out_prefix = output_dir.resolve().relative_to(top.resolve()).as_posix() + "/"
        except ValueError:
            out_prefix = None
    products, paths, diagnostics = [], {}, []
    for rel in sorted(p for p in listing.split("\0") if p):
        inside = rel[len(prefix):]
        parts = inside.split("/")
        if any(part.startswith(".") for part in parts[:-1]) or (out_prefix and rel.startswith(out_prefix)):
            continue
        if not any(_glob_match(inside, g) for g in config.products) or any(_glob_match(inside, g) for g in config.exclude):
            continue
        try:
            pf, diags = read_file_at(top, ref, rel, commit)
        except InputError as exc:
            pf, diags = None, exc.diagnostics
        if pf is None or any(d.severity is Severity.ERROR for d in diags):
            first = diags[0] if diags else None
            diagnostics.append(Diagnostic(
                "BASE003", Severity.WARNING, f"{ref}:{rel} could not be read as a product; it is not compared"
                + (f" ({first.message})" if first else ""), Location(f"{ref}:{rel}"),
                "nothing to do unless this file should be compared", "contracts.baseline-unreadable"))
            if pf is None:
                continue
        products.append(pf)
        paths[pf.product.address] = rel
    return Baseline(ref, commit, top, products, paths, diagnostics)


def history_at(top: Path, ref: str, rel: str, limit: int = 50) -> list[str]:
    """Commits (newest first, at most `limit`) at or before `ref` that changed `rel`."""
    try:
        text = _git(top, "log", f"--max-count={limit}", "--format=%H", "--end-of-options", ref, "--", rel).decode()
    except GitUnavailable:
        return []
    return [line for line in text.split() if line]


def _glob_match(rel: str, pattern: str) -> bool:
    if pattern.startswith("**/"):
        return fnmatch.fnmatchcase(rel, pattern[3:]) or fnmatch.fnmatchcase(rel, pattern)
    return fnmatch.fnmatchcase(rel, pattern)
