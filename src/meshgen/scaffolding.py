"""`meshgen init`: a new product that validates and builds as written."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
from meshgen.errors import UsageError
from meshgen.model.models import _email

PRODUCT_FILE = "dataproduct.yaml"
SCHEMA_FILE = "dataproduct.schema.json"
TEMPLATE = "init/dataproduct.yaml.j2"
# What validate accepts by default: NAM001's snake case (no `a_`, no `a__b`), SPEC004's 128
# characters, and for a dataset no word NAM002 reserves (found by tests/fuzz/test_init_names.py).
_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_TEAM = re.compile(r"^[a-z][a-z0-9_-]*$")
_LONGEST = 128

# What `meshgen init` writes when no e-mail or purpose is given. Governance recognises both
# and fails the product until they are replaced: OWN001 an address at a `.invalid` domain (the
# top-level domain RFC 2606 reserves for addresses that can never be valid), DOC001 a
# description that starts with TODO.
PLACEHOLDER_EMAIL_DOMAIN = "example.invalid"
PLACEHOLDER_PREFIX = "TODO"


def placeholder_email(owner_team: str) -> str:
    return f"{owner_team}@{PLACEHOLDER_EMAIL_DOMAIN}"


def placeholder_purpose(domain: str, name: str) -> str:
    return f"{PLACEHOLDER_PREFIX}: say why {domain}/{name} exists and what it holds."


def check_answer(label: str, value: str) -> str:
    """One answer (a flag or a prompt's reply), checked on its own: the value, or ValueError."""
    value = (value or "").strip()
    if "\0" in value:  # a prompt's answer can hold one; validate refuses it (SPEC012)
        raise ValueError(f"--{label}: a NUL character, which no artifact can carry")
    if label in ("domain", "name", "dataset", "owner-team") and not value:
        raise ValueError(f"--{label} is required (with --no-input nothing is asked)")
    if label in ("domain", "name", "dataset") and not _NAME.match(value):
        raise ValueError(f"--{label} {value!r}: use snake_case (lower-case words of letters and digits joined by "
                         "single underscores)")
    if label == "owner-team" and not _TEAM.match(value):
        raise ValueError(f"--owner-team {value!r}: use lower-case letters, digits, '-' or '_'")
    if label in ("domain", "name", "dataset", "owner-team") and len(value) > _LONGEST:
        raise ValueError(f"--{label}: at most {_LONGEST} characters")
    if label == "dataset" and value in _reserved_words():
        raise ValueError(f"--dataset {value!r} (the product's name unless given): a reserved SQL word in "
                         f"{', '.join(_reserved_words()[value])}; pass another --dataset, e.g. {value}_records")
    if label == "owner-email":
        try:
            _email(value)  # the spec's own check of owner.email
        except ValueError:
            raise ValueError(f"--owner-email {value!r}: not an e-mail address such as sales-data@example.com") from None
    if label == "purpose" and not value:
        raise ValueError("--purpose: say in one sentence why the product exists")
    return value


def _reserved_words() -> dict[str, list[str]]:
    from meshgen.dialects import reserved_anywhere

    return reserved_anywhere()


@dataclass
class ScaffoldRequest:
    domain: str
    name: str
    owner_team: str
    dataset: str
    owner_email: str = ""
    purpose: str = ""

    def problems(self) -> list[str]:
        out = []
        answers = [("domain", self.domain), ("name", self.name), ("dataset", self.dataset),
                   ("owner-team", self.owner_team)]
        answers += [(label, v) for label, v in (("owner-email", self.owner_email), ("purpose", self.purpose)) if v]
        for label, value in answers:
            try:
                check_answer(label, value)
            except ValueError as exc:
                out.append(str(exc))
        return out


def product_location(directory: Path, domain: str, name: str) -> tuple[Path, Path | None]:
    """(the product file to write, the mesh root or None): `DIRECTORY/<domain>/<name>/v1/`.

    Run from the domain's own folder inside a mesh (DIRECTORY is named like the domain and is
    not the mesh root), the product goes to `DIRECTORY/<name>/v1/`, beside the domain's other
    products, rather than into a second `<domain>/` folder."""
    from meshgen.mesh.loader import find_mesh_root

    existing = Path(directory).resolve()
    while not existing.exists():  # init creates DIRECTORY: look from its nearest existing parent
        existing = existing.parent
    root = find_mesh_root(existing)
    here = Path(directory).resolve()
    if root is not None and here.name == domain and here != root.resolve():
        return Path(directory) / name / "v1" / PRODUCT_FILE, root
    return Path(directory) / domain / name / "v1" / PRODUCT_FILE, root


def _check_the_mesh_finds(target: Path, root: Path) -> None:
    """INIT003 when the mesh's `products:`/`exclude:` patterns would not find the new file."""
    from meshgen.mesh.loader import discover_matches, load_config

    config, _, _ = load_config(root)
    rel = target.resolve().relative_to(root.resolve()).as_posix()
    if not discover_matches(rel, config):
        raise UsageError(f"the mesh would not find {rel}", [Diagnostic(
            "INIT003", Severity.ERROR, f"the mesh at {display_path(root)} would not find {rel} "
            f"(products: {', '.join(config.products)}; exclude: {', '.join(config.exclude) or 'none'})",
            Location(display_path(root / "meshgen.yaml"), 1, 1),
            "run `meshgen init` in a folder the mesh's `products:` patterns cover, or widen them")])


def _renderer(root: Path | None):
    """The mesh's template overrides come first (`templates:` in meshgen.yaml), as for a build."""
    from meshgen.mesh.loader import load_config
    from meshgen.render import TemplateRenderer

    if root is None:
        return TemplateRenderer()
    config, _, diagnostics = load_config(root)
    if diagnostics:
        raise UsageError("meshgen.yaml has errors", diagnostics)
    return TemplateRenderer(root / config.templates if config.templates else None)


def scaffold(directory: Path, request: ScaffoldRequest, *, force: bool = False) -> Path:
    """Write the product file (see product_location) and the JSON Schema editors use; its path."""
    from meshgen.model.jsonschema import product_json_schema_text
    from meshgen.output import write_file_atomic

    problems = request.problems()
    if problems:
        raise UsageError(problems[0], [Diagnostic("INIT001", Severity.ERROR, p, Location("<command line>", 1, 1),
                                                  "run `meshgen init --help`") for p in problems])
    target, root = product_location(directory, request.domain, request.name)
    if root is not None:
        _check_the_mesh_finds(target, root)
    if target.exists() and not force:
        raise UsageError(f"{target} exists", [Diagnostic(
            "INIT002", Severity.ERROR, f"{target} already exists", Location(str(target), 1, 1),
            "pick another name, or pass --force to overwrite it")])
    schema_path = (root or Path(directory)) / SCHEMA_FILE
    text = _renderer(root).render(
        TEMPLATE,
        schema_path=Path(os.path.relpath(schema_path, target.parent)).as_posix(),
        domain=request.domain, name=request.name, dataset=request.dataset, owner_team=request.owner_team,
        owner_email=request.owner_email or placeholder_email(request.owner_team),
        title=request.name.replace("_", " ").title(),
        purpose=request.purpose or placeholder_purpose(request.domain, request.name),
    )
    write_file_atomic(schema_path, product_json_schema_text())
    write_file_atomic(target, text)
    return target


# The codes this module reports (meshgen.reporting.codes collects every component's).
def _code_families():
    from meshgen.diagnostics import CodeFamily, DiagnosticCode

    return (CodeFamily("INIT", "meshgen init received usable values.", "docs/diagnostics.md", (
        DiagnosticCode("INIT001", "error (exit 2)", "`meshgen init` was given a name that is not snake_case"),
        DiagnosticCode("INIT002", "error (exit 2)", "`meshgen init` would overwrite a product (`--force` overwrites)"),
        DiagnosticCode("INIT003", "error (exit 2)", "`meshgen init` would write where the mesh's `products:`/"
                                                    "`exclude:` patterns do not look"),
    ), configurable=False),)


CODE_FAMILIES = _code_families()
