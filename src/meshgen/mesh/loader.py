"""Find a mesh from a path, and load every product in it."""

from __future__ import annotations

import fnmatch
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import ValidationError

from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
from meshgen.errors import InputError, UsageError
from meshgen.load.files import MAX_FILE_BYTES, REFUSED_INPUT_CODES, read_bytes, within
from meshgen.load.yaml_source import SourceMap, decode_text, load_yaml, parse_yaml
from meshgen.mesh.config import CONFIG_FILE, MeshConfig
from meshgen.mesh.model import Mesh, check_references
from meshgen.mesh.product_cache import keep_product, record_name, recorded_product
from meshgen.model.loader import pydantic_diagnostics, validate_document

_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", ".pytest_cache"}


def find_mesh_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds a meshgen.yaml (an absolute path).

    The walk starts from the absolute form of `start`, normalized as written (`..` removed, no
    symlinks followed): a relative path such as `.` or `stock_levels/v1/dataproduct.yaml` has
    parents above the working directory too.
    """
    start = Path(os.path.abspath(start))
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        if os.path.lexists(folder / CONFIG_FILE):  # a FIFO or a bad symlink is refused when read, not skipped
            return folder
    return None


def load_config(root: Path) -> tuple[MeshConfig, SourceMap | None, list[Diagnostic]]:
    path = root / CONFIG_FILE
    if not os.path.lexists(path):
        return MeshConfig(), None, []
    doc = load_yaml(path, root=root, empty_ok=True)  # an empty meshgen.yaml: every setting's default
    if doc.data is None or doc.data == {}:
        return MeshConfig(), doc.source, []
    if not isinstance(doc.data, dict):
        raise InputError(f"{display_path(path)}: not a mapping", [Diagnostic(
            "CONF001", Severity.ERROR, "meshgen.yaml must be a mapping of settings", doc.source.location(()),
            "see docs/configuration.md")])
    try:
        config = MeshConfig.model_validate(doc.data)
    except ValidationError as exc:
        diags = [Diagnostic("CONF001", d.severity, d.message, d.location, d.hint)
                 for d in pydantic_diagnostics(exc, doc.data, doc.source, MeshConfig)]
        return MeshConfig(), doc.source, diags
    confined = [d for key in ("output", "templates") if (d := _outside_root(root, config, key, doc.source))]
    if confined:
        raise UsageError("meshgen.yaml names a folder outside the mesh", confined)
    return config, doc.source, []


def _outside_root(root: Path, config: MeshConfig, key: str, source: SourceMap) -> Diagnostic | None:
    """CONF005 when `output:` or `templates:` leaves the mesh root once resolved (`../..`, an
    absolute path, a symlink out of it) or `output:` is the root itself. meshgen.yaml is as
    untrusted as the products: only `-o` on the command line may point anywhere."""
    value = getattr(config, key)
    if value is None:
        return None
    real_root = root.resolve()
    real = (root / value).resolve()
    if real_root in real.parents or (key == "templates" and real == real_root):
        return None
    where = "is the mesh root itself" if real == real_root else f"resolves to {display_path(real)}, outside the mesh"
    return Diagnostic(
        "CONF005", Severity.ERROR, f"`{key}: {value}` {where}", source.location((key,)),
        f"name a folder inside the mesh, relative to meshgen.yaml (such as `{key}: "
        f"{'build' if key == 'output' else 'templates'}`)" + (", or pass `-o PATH` on the command line to write "
                                                               "elsewhere" if key == "output" else ""))


def discover(root: Path, config: MeshConfig, output_dir: Path | None) -> list[Path]:
    """Every product file of the mesh, sorted, skipping the output folder and tool folders.

    A folder whose name matches a product pattern is returned too: loading it reports
    "expected a file, found a directory" instead of silently leaving the product out.
    """
    found: list[Path] = []
    out_real = os.path.realpath(output_dir) if output_dir else None
    real_root = os.path.realpath(root)
    top = os.fspath(root)
    reals: dict[str, str] = {}  # a folder as walked -> its real path, resolved once
    visits: dict[str, int] = {}
    # Symlinked folders are followed when they stay inside the mesh (a product found twice is
    # then reported as defined twice); a link back to a folder on the way is a loop, and no real
    # folder is walked more than twice (links to links could multiply the walk).
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        real = reals.get(dirpath) or os.path.realpath(dirpath)
        rel = dirpath[len(top):].lstrip(os.sep).replace(os.sep, "/")  # os.walk joins names onto `top`
        if not within(real, real_root):
            # A linked folder that leaves the mesh is never walked, but never skipped in silence
            # either: loading it reports LOAD010 (unless meshgen.yaml excludes it).
            if not _excluded_folder(rel or ".", config):
                found.append(here)
            dirnames[:] = []
            continue
        parts = rel.split("/") if rel else []
        on_the_way = {reals.get(a) or os.path.realpath(a)
                      for a in (os.path.join(top, *parts[:i]) for i in range(len(parts)))}
        if real in on_the_way or visits.get(real, 0) >= 2:
            dirnames[:] = []
            continue
        visits[real] = visits.get(real, 0) + 1
        reals[dirpath] = real
        prefix = f"{rel}/" if rel else ""
        for d in dirnames:
            if any(_glob_match(prefix + d, pattern) for pattern in config.products):
                found.append(here / d)
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in _SKIP_DIRS and not d.startswith(".")
            and (out_real is None or _real_of(reals, os.path.join(dirpath, d)) != out_real)
        )
        for fname in sorted(filenames):
            if discover_matches(prefix + fname, config):
                found.append(here / fname)
    return sorted(found)


def _real_of(reals: dict[str, str], path: str) -> str:
    if path not in reals:
        reals[path] = os.path.realpath(path)
    return reals[path]


def _excluded_folder(rel: str, config: MeshConfig) -> bool:
    return any(_glob_match(f"{rel}/{CONFIG_FILE}", pattern) or _glob_match(f"{rel}/x/dataproduct.yaml", pattern)
               for pattern in config.exclude)


def discover_matches(rel: str, config: MeshConfig) -> bool:
    """Whether discovery picks up the file at `rel` (relative to the mesh root)."""
    return any(_glob_match(rel, pattern) for pattern in config.products) and \
        not any(_glob_match(rel, pattern) for pattern in config.exclude)


def _glob_match(rel: str, pattern: str) -> bool:
    if pattern.startswith("**/"):
        return fnmatch.fnmatchcase(rel, pattern[3:]) or fnmatch.fnmatchcase(rel, pattern)
    return fnmatch.fnmatchcase(rel, pattern)


@dataclass
class MeshFiles:
    """What a command on `path` reads before parsing any product: the mesh root, its meshgen.yaml,
    every product file discovery finds and the ones the command acts on."""

    root: Path
    config: MeshConfig
    config_source: SourceMap | None
    diagnostics: list[Diagnostic]  # meshgen.yaml's
    files: list[Path]
    selected: set[Path]
    standalone: bool  # a bare product file with no meshgen.yaml


def mesh_files(path: Path | str | None = None, *, output: Path | None = None) -> MeshFiles:
    """The mesh `path` belongs to, as load_mesh finds it (see there), with its files not yet read."""
    target = Path(path) if path is not None else Path.cwd()
    if not target.exists():
        raise UsageError(f"{target} does not exist", [Diagnostic(
            "LOAD007", Severity.ERROR, f"no such file or folder: {target}", Location(str(target)),
            "pass a mesh folder or a dataproduct.yaml")])
    root = find_mesh_root(target)
    standalone = False
    if root is None:
        root = target if target.is_dir() else target.parent
        standalone = target.is_file()
    config, config_source, diagnostics = load_config(root)
    output_dir = output if output is not None else root / config.output
    if standalone:
        files = [target]
    else:
        files = discover(root, config, output_dir)
        if target.is_file() and os.path.abspath(target) not in {os.path.abspath(f) for f in files}:
            files.append(target)  # named explicitly, though no `products:` pattern finds it
    # No PATH: the whole mesh the current folder belongs to.
    selected_paths = set(files) if path is None else _select(files, target)
    if not files and not diagnostics:
        raise UsageError(f"no products found under {target}", [Diagnostic(
            "MESH000", Severity.ERROR, f"no product files found in {display_path(root)} "
            f"(looked for {', '.join(config.products)})", Location(display_path(target)),
            "run `meshgen init` to create one, or set `products:` in meshgen.yaml")])
    return MeshFiles(root, config, config_source, diagnostics, files, selected_paths, standalone)


def load_mesh(path: Path | str | None = None, *, output: Path | None = None, cached: str | None = None,
              found: MeshFiles | None = None) -> tuple[Mesh, list[Diagnostic]]:
    """Load the mesh that `path` belongs to.

    - a folder with a meshgen.yaml (or inside one): that mesh, acting on the products under `path`;
    - a folder without one: a mesh with default settings, of every dataproduct.yaml below it;
    - one product file: the mesh it sits in, acting on that product; a mesh of one if none;
    - no path: the whole mesh that the current folder belongs to.
    Unreadable product files raise InputError after every file has been tried. With `cached`
    (meshgen's code digest), a product file whose bytes this code loaded before is read back from
    this user's cache (meshgen.mesh.product_cache) instead of parsed and validated again. `found`:
    what `mesh_files(path, output=output)` returned just before (a build's fingerprint read it).
    """
    found = found if found is not None else mesh_files(path, output=output)
    root, config, config_source, diagnostics = found.root, found.config, found.config_source, found.diagnostics
    records: dict[str, str] = {}
    digests: dict[str, str] = {}
    products, broken = _load_products(found.files, root, found.selected, diagnostics, cached, records, digests)
    mesh = Mesh(root=root, config=config, config_source=config_source, products=products,
                selected={pf.path for pf in products if pf.path in found.selected}, standalone=found.standalone,
                broken=broken, foreign=_foreign_products(root, config, config_source, products, diagnostics),
                cached=cached, records=records, digests=digests)
    diagnostics.extend(check_references(mesh))
    return mesh, diagnostics


def _load_products(files: list[Path], root: Path, selected_paths: set[Path],
                   diagnostics: list[Diagnostic], cached: str | None = None,
                   records: dict[str, str] | None = None,
                   digests: dict[str, str] | None = None) -> tuple[list, dict[str, Path]]:
    """Read and validate every product file (their findings join `diagnostics`): the valid
    products, and the address each invalid file meant to define. Unreadable files raise
    InputError after every file has been tried, unless they are not among the products asked for.
    With `cached`, each valid product's cache record is noted in `records` (its path → name), and
    the sha256 of the bytes read in `digests`."""
    products = []
    input_errors: list[Diagnostic] = []
    broken: dict[str, Path] = {}
    for f in files:
        raw = _raw_bytes(f, root) if cached is not None else None
        content = hashlib.sha256(raw).hexdigest() if raw is not None else None
        record = record_name(f, content, cached) if content is not None and cached is not None else None
        if record is not None and records is not None:
            records[str(f)] = record
        if content is not None and digests is not None:
            digests[str(f)] = content
        if record is not None and (hit := recorded_product(record)) is not None:
            products.append(hit[0])
            diagnostics.extend(hit[1])
            continue
        try:
            # the bytes the record is named by are the ones parsed (the file may change meanwhile)
            shown = display_path(f)
            document = parse_yaml(decode_text(raw, shown), shown, f) if raw is not None else load_yaml(f, root=root)
        except InputError as exc:
            refused = any(d.code in REFUSED_INPUT_CODES for d in exc.diagnostics)
            if f in selected_paths or len(selected_paths) == len(files) or refused:
                input_errors.extend(exc.diagnostics)
            else:
                # Someone else's unreadable file must not stop work on the products asked for.
                diagnostics.extend(replace(d, severity=Severity.WARNING,
                                           message=f"{d.message} (not among the products this command acts on)")
                                   for d in exc.diagnostics)
            continue
        pf, diags = validate_document(document)
        diagnostics.extend(diags)
        if pf is not None:
            if record is not None:
                keep_product(record, pf, diags)
            products.append(pf)
        elif (address := _written_address(document.data)) is not None:
            broken[address] = f
    if input_errors:
        raise InputError("some files could not be read", input_errors + diagnostics)
    return products, broken


def _raw_bytes(path: Path, root: Path) -> bytes | None:
    """A product file's bytes, read as load_yaml reads them; None when it cannot be read
    (load_yaml then reports why)."""
    try:
        return read_bytes(path, display_path(path), root=root, limit=MAX_FILE_BYTES)
    except InputError:
        return None


def _foreign_products(root: Path, config: MeshConfig, config_source: SourceMap | None, products: list,
                      diagnostics: list[Diagnostic]) -> list:
    """The products of the other repositories' indexes that meshgen.yaml lists (docs/polyrepo.md)."""
    if not config.indexes:
        return []
    from meshgen.mesh.remote import read_indexes

    foreign, warnings = read_indexes(root, config, config_source, products)
    diagnostics.extend(warnings)
    return foreign


def _written_address(data) -> str | None:
    """The address a product file that failed validation meant to define, when it says so plainly."""
    if not isinstance(data, dict):
        return None
    domain, name, version = data.get("domain"), data.get("name"), data.get("version")
    if not all(isinstance(v, str) for v in (domain, name, version)):
        return None
    major = version.split(".")[0]
    return f"data://{domain}/{name}/v{major}" if major.isdigit() else None


def _select(files: list[Path], target: Path) -> set[Path]:
    # Paths as written, not resolved: a product that is a symlink to another folder of the mesh
    # belongs to the folder it is found in (resolving it would silently leave it out).
    base = Path(os.path.abspath(target))
    resolved = {f: Path(os.path.abspath(f)) for f in files}
    if target.is_file():
        return {f for f, r in resolved.items() if r == base}
    return {f for f, r in resolved.items() if r == base or base in r.parents}
