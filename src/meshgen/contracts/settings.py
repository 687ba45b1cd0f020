"""`contracts:` in meshgen.yaml, validated strictly, errors positioned in meshgen.yaml."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field as F, ValidationError

from meshgen.diagnostics import Diagnostic, Location
from meshgen.errors import UsageError
from meshgen.mesh.model import Mesh
from meshgen.model.loader import pydantic_diagnostics
from meshgen.model.models import SpecModel


class ContractSettings(SpecModel):
    """Contract checks in `meshgen build` and `meshgen check`."""

    baseline: Optional[str] = F(None, description="A git revision (branch, tag, commit) to compare the mesh with on "
                                                  "every build, e.g. main. Unset: no comparison.")
    pastDeprecation: Literal["warning", "error"] = F(
        "error", description="Severity for a consumer of a product version past its lifecycle.deprecationDate "
                             "(before the date it is a warning).")
    ignore: list[str] = F(default_factory=list, description="Rule codes, IDs or categories to skip, e.g. "
                                                            "[metadata, BRK212].")


class _Shifted:
    """meshgen.yaml's source map seen from `contracts:`."""

    def __init__(self, source, prefix: tuple):
        self.source, self.prefix = source, prefix

    def location(self, path=(), *, key: bool = False) -> Location:
        return self.source.location(self.prefix + tuple(path), key=key)


def load_settings(mesh: Mesh) -> tuple[ContractSettings, list[Diagnostic]]:
    raw = mesh.config.contracts or {}
    try:
        return ContractSettings.model_validate(raw), []
    except ValidationError as exc:
        source = _Shifted(mesh.config_source, ("contracts",)) if mesh.config_source is not None else None
        if source is None:
            raise UsageError(f"contracts settings: {exc}") from None
        diags = pydantic_diagnostics(exc, raw, source, ContractSettings)
        return ContractSettings(), [Diagnostic("CONF001", d.severity, f"contracts: {d.message}", d.location, d.hint)
                                    for d in diags]


def config_location(mesh: Mesh, *path: str) -> Location:
    if mesh.config_source is not None:
        return mesh.config_source.location(path)
    return Location(str(mesh.root / "meshgen.yaml"))
