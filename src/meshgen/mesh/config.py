"""meshgen.yaml: the mesh's settings."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, Field as F, field_validator

from meshgen.model.models import SpecModel

CONFIG_FILE = "meshgen.yaml"


_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def index_source_problem(entry: str) -> str | None:
    """Why an `indexes:` entry is not a path, a file:// URL or an https:// URL (None when it is one)."""
    if not entry.strip() or any(ch in entry for ch in "\0\n\r"):
        return "an index must be a path, a file:// URL or an https:// URL"
    scheme, sep, rest = entry.partition("://")
    if not sep:
        return "a URL needs `://`" if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(?![/\\])", entry) and \
            not re.match(r"^[A-Za-z]:", entry) else None
    if scheme == "file":
        return None if rest.startswith("/") else "a file:// URL names an absolute path (file:///srv/mesh/index.json)"
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    if scheme == "https":
        return None if re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?", host) \
            else "not a valid https:// URL"
    if scheme == "http":
        hostname = re.sub(r":[0-9]{1,5}$", "", host)
        return None if hostname in _LOCAL_HOSTS else \
            "plain http:// is allowed only to 127.0.0.1 or localhost; use https://"
    return f"unsupported scheme {scheme!r}: use a path, file:// or https://"


def _index_source(entry: str) -> str:
    problem = index_source_problem(entry)
    if problem:
        raise ValueError(f"{entry!r}: {problem}")
    return entry


IndexSource = Annotated[str, AfterValidator(_index_source)]  # each entry checked at its own position


class MeshConfig(SpecModel):
    """The settings of a mesh, from `meshgen.yaml` at its root. Every key is optional."""

    name: Optional[str] = F(None, description="The mesh's name (default: the folder's name).")
    products: list[str] = F(["**/dataproduct.yaml"], description="Glob patterns, relative to the mesh root, "
                                                                 "that find the product files.")
    exclude: list[str] = F(default_factory=list, description="Glob patterns of files to leave out.")
    output: str = F("build", description="The output folder, relative to the mesh root (or -o/--output).")
    targets: Union[list[str], dict[str, Optional[dict[str, Any]]]] = F(
        default_factory=list,
        description="The targets to build, as a list of names or a map of name → options "
                    "(default: every built-in target).")
    templates: Optional[str] = F(None, description="A folder of template overrides, relative to the mesh root; "
                                                   "a template there replaces the built-in one of the same path.")
    governance: dict[str, Any] = F(default_factory=dict, description="Governance policy: rules, severities, options.")
    contracts: dict[str, Any] = F(default_factory=dict, description="Contract checks: the baseline to compare with.")
    site_url: Optional[str] = F(None, description="The published URL of the mesh's docs site (`meshgen docs build`), "
                                                  "e.g. `https://data.example.com/mesh/`; catalog entries and "
                                                  "descriptors link each product to its page there.")
    indexes: list[IndexSource] = F(default_factory=list, max_length=100, description=
                           "Other repositories' mesh indexes (their `<output>/_mesh/index.json`), whose products "
                           "this mesh's input ports may read and whose input ports are consumers of this mesh's "
                           "products: a path relative to meshgen.yaml, a `file://` URL or an `https://` URL "
                           "(`http://` only to 127.0.0.1 or localhost); see docs/polyrepo.md.")
    strict: bool = F(False, description="Treat what a target cannot express as an error instead of a note.")
    diagnostics: dict[str, Literal["off", "note", "warning", "error"]] = F(
        default_factory=dict,
        description="The level of a diagnostic code or of a whole family, e.g. `SQL001: off`, `PROTO: warning`: "
                    "off, note, warning or error (a code wins over its family; `strict` still makes a target's "
                    "notes and warnings errors). Governance rules are set under `governance:`; codes of reading "
                    "files, the spec and meshgen.yaml cannot be set (CONF004, as is an unknown code).")

    @field_validator("site_url")
    @classmethod
    def _http_url(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("must be an http(s) URL such as https://data.example.com/mesh/ (no query or fragment)")
        return value

    @field_validator("output", "templates")
    @classmethod
    def _relative(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not value.strip():
            raise ValueError("cannot be empty")
        return value

    def target_options(self) -> dict[str, dict[str, Any]]:
        if isinstance(self.targets, list):
            return {name: {} for name in self.targets}
        return {name: dict(opts or {}) for name, opts in self.targets.items()}
