"""`meshgen init`: a new product that validates and builds as written."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.errors import UsageError

PRODUCT_FILE = "dataproduct.yaml"
SCHEMA_FILE = "dataproduct.schema.json"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TEAM = re.compile(r"^[a-z][a-z0-9_-]*$")


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
        for label, value in (("domain", self.domain), ("name", self.name), ("dataset", self.dataset)):
            if not _NAME.match(value or ""):
                out.append(f"--{label} {value!r}: use snake_case (lower-case letters, digits, underscores)")
        if not _TEAM.match(self.owner_team or ""):
            out.append(f"--owner-team {self.owner_team!r}: use lower-case letters, digits, '-' or '_'")
        return out


def scaffold(directory: Path, request: ScaffoldRequest, *, force: bool = False) -> Path:
    """Write `<directory>/<domain>/<name>/v1/dataproduct.yaml` and the JSON Schema editors use."""
    from meshgen.mesh.loader import find_mesh_root
    from meshgen.output import write_file_atomic
    from meshgen.render import TemplateRenderer
    from meshgen.model.jsonschema import product_json_schema_text

    problems = request.problems()
    if problems:
        raise UsageError(problems[0], [Diagnostic("INIT001", Severity.ERROR, p, Location("<command line>", 1, 1),
                                                  "run `meshgen init --help`") for p in problems])
    directory = Path(directory)
    target = directory / request.domain / request.name / "v1" / PRODUCT_FILE
    if target.exists() and not force:
        raise UsageError(f"{target} exists", [Diagnostic(
            "INIT002", Severity.ERROR, f"{target} already exists", Location(str(target), 1, 1),
            "pick another name, or pass --force to overwrite it")])
    root = find_mesh_root(directory) if directory.exists() else None
    schema_path = (root or directory) / SCHEMA_FILE
    text = TemplateRenderer().render(
        "init/dataproduct.yaml.j2",
        schema_path=Path(os.path.relpath(schema_path, target.parent)).as_posix(),
        domain=request.domain, name=request.name, dataset=request.dataset, owner_team=request.owner_team,
        owner_email=request.owner_email or f"{request.owner_team}@example.com",
        title=request.name.replace("_", " ").title(),
        purpose=request.purpose or f"Describe why {request.domain}/{request.name} exists and what it holds.",
    )
    write_file_atomic(schema_path, product_json_schema_text())
    write_file_atomic(target, text)
    return target
