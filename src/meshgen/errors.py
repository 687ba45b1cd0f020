"""The error hierarchy. The CLI maps each class to an exit code in one place (cli.py)."""

from __future__ import annotations

from meshgen.diagnostics import Diagnostic


class MeshgenError(Exception):
    """Base class: a problem the user can fix. Never shown as a traceback."""

    exit_code = 2

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = list(diagnostics or [])


class UsageError(MeshgenError):
    """Wrong arguments or an unusable path: exit 2."""


class InputError(MeshgenError):
    """An input file could not be read or parsed: exit 2."""


class ViolationsFound(MeshgenError):
    """The input was read, but it breaks the spec, the mesh, governance or a contract: exit 1."""

    exit_code = 1


class OutputError(MeshgenError):
    """The output folder cannot be written safely: exit 2."""


class TemplateFailure(MeshgenError):
    """A template (usually a team's override) does not render: exit 2."""


class PublishRefused(MeshgenError):
    """A catalog server refused a request of `meshgen publish` (an HTTP error or a redirect): exit 1."""

    exit_code = 1


class ServerUnreachable(MeshgenError):
    """A catalog server could not be reached (connection refused, name unknown, timeout, TLS): exit 2."""
