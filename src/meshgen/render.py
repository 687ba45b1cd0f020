"""The one Jinja environment: sandboxed, strict, and with an escaping filter per target language.

Templates are looked up in the mesh's override folder first, then in the built-in folder, so a
team can replace one template and keep the rest.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import meshgen


def builtin_template_dir() -> Path:
    """The built-in templates live inside the package (meshgen/templates), in a wheel and a checkout alike."""
    return Path(meshgen.__file__).parent / "templates"


def to_json(value: Any, indent: int | None = 2) -> str:
    """Deterministic JSON: sorted keys, UTF-8 kept, no trailing spaces."""
    return json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False, separators=(",", ": ") if indent else (",", ":"))


def sql_string(value: Any) -> str:
    """A SQL string literal: single quotes doubled, NUL removed."""
    return "'" + str(value).replace("\x00", "").replace("'", "''") + "'"


def py_string(value: Any) -> str:
    """A Python string literal (repr of a str is always a valid, safe literal)."""
    return repr(str(value))


def yaml_string(value: Any) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def comment_text(value: Any) -> str:
    """Text safe inside a line comment of any target: one line, no comment terminators."""
    text = " ".join(str(value).split())
    return text.replace("*/", "* /").replace("/*", "/ *")


class TemplateRenderer:
    def __init__(self, override_dir: Path | None = None):
        from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        loaders = []
        if override_dir is not None:
            loaders.append(FileSystemLoader(str(override_dir)))
        loaders.append(FileSystemLoader(str(builtin_template_dir())))
        self.env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml"), default_for_string=False),
        )
        self.env.filters.update(
            tojson=to_json, sql_string=sql_string, py_string=py_string, yaml_string=yaml_string,
            comment=comment_text,
        )

    def render(self, template_name: str, /, **context: Any) -> str:
        from jinja2 import TemplateError, TemplateSyntaxError

        from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
        from meshgen.errors import TemplateFailure

        try:
            template = self.env.get_template(template_name)
            text = template.render(**context)
        except TemplateSyntaxError as exc:
            where = Location(display_path(exc.filename or template_name), exc.lineno or 1, 1)
            raise TemplateFailure(f"template {template_name} is invalid", [Diagnostic(
                "TPL001", Severity.ERROR, f"template syntax error: {exc.message}", where,
                "fix the template; overrides live in the folder named by `templates:` in meshgen.yaml")]) from None
        except TemplateError as exc:
            filename = getattr(locals().get("template"), "filename", None) or template_name
            raise TemplateFailure(f"template {template_name} failed", [Diagnostic(
                "TPL002", Severity.ERROR, f"template {template_name} failed to render: {type(exc).__name__}: {exc}",
                Location(display_path(filename), 1, 1),
                "templates run sandboxed: they may only use the values meshgen passes in, and every name must exist")]) from None
        return text if text.endswith("\n") else text + "\n"


@lru_cache(maxsize=8)
def renderer_for(override_dir: str | None) -> TemplateRenderer:
    return TemplateRenderer(Path(override_dir) if override_dir else None)
