"""The one Jinja environment: sandboxed, strict, and with an escaping filter per target language.

Templates are looked up in the mesh's override folder first, then in the built-in folder, so a
team can replace one template and keep the rest.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import meshgen
from meshgen.serializer import json_text, yaml_document

if TYPE_CHECKING:
    from meshgen.diagnostics import Diagnostic


def builtin_template_dir() -> Path:
    """The built-in templates live inside the package (meshgen/templates), in a wheel and a checkout alike."""
    return Path(meshgen.__file__).parent / "templates"


def to_json(value: Any, indent: int | None = 2) -> str:
    """The `tojson` filter: the serializer's JSON (indent None or 0: compact)."""
    return json_text(value, compact=not indent, indent=indent or 2)


def sql_string(value: Any) -> str:
    """A SQL string literal: single quotes doubled, NUL removed."""
    return "'" + str(value).replace("\x00", "").replace("'", "''") + "'"


def py_string(value: Any) -> str:
    """A Python string literal (repr of a str is always a valid, safe literal)."""
    return repr(str(value))


def yaml_string(value: Any) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json_text(str(value))


def comment_text(value: Any) -> str:
    """Text safe inside a line comment of any target: one line, no comment terminators."""
    text = " ".join(str(value).split())
    return text.replace("*/", "* /").replace("/*", "/ *")


def override_problems(override_dir: Path, known: set[str]) -> list["Diagnostic"]:
    """Warnings for a mesh's override folder holding a template (`*.j2`) that overrides nothing
    (a typo in its name or folder would otherwise be silently ignored)."""
    import difflib

    from meshgen.diagnostics import Diagnostic, Location, Severity, display_path

    if not override_dir.is_dir():  # a missing folder is CONF003, from the planner
        return []
    found = []
    for path in sorted(override_dir.rglob("*.j2")):
        name = path.relative_to(override_dir).as_posix()
        if name in known:
            continue
        near = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean {near[0]}?" if near else "docs/templates.md lists the templates that can be overridden"
        found.append(Diagnostic("TPL003", Severity.WARNING, f"template override {name} overrides nothing: no "
                                "target renders a template of that name", Location(display_path(str(path))), hint))
    return found


def builtin_templates() -> set[str]:
    root = builtin_template_dir()
    return {p.relative_to(root).as_posix() for p in root.rglob("*.j2")}


@lru_cache(maxsize=1)
def _sandbox() -> type:
    from jinja2.runtime import LoopContext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # Per class, the attributes read without asking the sandbox: a dataclass's public fields; a
    # for loop's counters (`loop.last`: LoopContext's properties, never a callable or internal).
    short: dict[type, frozenset[str]] = {LoopContext: frozenset(
        name for name, value in vars(LoopContext).items() if isinstance(value, property))}
    missing = object()

    class Sandbox(ImmutableSandboxedEnvironment):
        """Jinja's immutable sandbox, with a short way for the values targets pass.

        A public data field of a dataclass instance (a proto field, a SQL column) whose value is
        no callable is what the sandbox itself returns for it: the name has no `_`, the instance
        is no function, method, type, frame or generator nor a known mutable container, and a
        value that cannot be called is no `str.format`. So is a loop counter. Asking the sandbox
        costs ~10 µs an access, which a 100,000-field template pays for each attribute of each
        field (and `loop.last` of each)."""

        def getattr(self, obj: Any, attribute: str) -> Any:
            cls = type(obj)
            names = short.get(cls)
            if names is None:
                fields = getattr(cls, "__dataclass_fields__", None) or {}
                names = short[cls] = frozenset(n for n in fields if n[:1] != "_")
            if attribute in names and not isinstance(obj, type):
                value = getattr(obj, attribute, missing)  # `missing` for a field never set
                if value is not missing and not callable(value):
                    return value
            return super().getattr(obj, attribute)

    return Sandbox


class TemplateRenderer:
    def __init__(self, override_dir: Path | None = None):
        from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape

        loaders = []
        if override_dir is not None:
            loaders.append(_override_loader(override_dir))
        loaders.append(FileSystemLoader(str(builtin_template_dir())))
        self.env = _sandbox()(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml"), default_for_string=False),
        )
        self.has_overrides = override_dir is not None
        self._builtin_dir = builtin_template_dir()
        self._builtin_prefix = str(self._builtin_dir) + os.sep
        self.filters = dict(
            tojson=to_json, sql_string=sql_string, py_string=py_string, yaml_string=yaml_string,
            comment=comment_text, toyaml=yaml_document,
        )
        self.env.filters.update(self.filters)

    def render(self, template_name: str, /, **context: Any) -> str:
        from jinja2 import TemplateError, TemplateSyntaxError

        from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
        from meshgen.errors import TemplateFailure

        if not self.has_overrides and self.env.finalize is None:
            text = self._render_pieces(template_name, context)
            if text is not None:
                return text
        try:
            template = self.env.get_template(template_name)
            text = template.render(**context)
        except TemplateSyntaxError as exc:
            where = Location(display_path(exc.filename or template_name), exc.lineno or 1, 1)
            raise TemplateFailure(f"template {template_name} is invalid", [Diagnostic(
                "TPL001", Severity.ERROR, f"template syntax error: {exc.message}", where,
                "fix the template; overrides live in the folder named by `templates:` in meshgen.yaml")]) from None
        except (TemplateError, ArithmeticError, RecursionError, MemoryError, LookupError, TypeError, ValueError,
                AttributeError) as exc:
            # A template's own runtime failure (an undefined name, the sandbox's range limit, a division
            # by zero, endless recursion through {% include %}), never meshgen's: point at the template line.
            filename = getattr(locals().get("template"), "filename", None) or template_name
            line = _template_line(exc, filename)
            what = _failure_text(exc)
            raise TemplateFailure(f"template {template_name} failed", [Diagnostic(
                "TPL002", Severity.ERROR, f"template {template_name} failed to render: {what}",
                Location(display_path(filename), line, 1),
                "templates run sandboxed: they may only use the values meshgen passes in, and every name must exist")]) from None
        text = text if text.endswith("\n") else text + "\n"
        if self.has_overrides and not template.filename.startswith(self._builtin_prefix):
            _check_override_output(template_name, template.filename, text)
        return text


    def _render_pieces(self, template_name: str, context: dict[str, Any]) -> str | None:
        """What Jinja renders from a built-in template made only of text and `{{ name }}` or
        `{{ name | filter }}` (most machine formats' templates: `{{ schema | tojson }}`), without
        Jinja: its render costs ~45 µs of context and call frames, a build renders ~30 such
        templates a product. None for any other template, or a name the context lacks (Jinja then
        renders it and reports the failure)."""
        pieces = _expression_pieces(self._builtin_dir, template_name)
        if pieces is None:
            return None
        out = []
        for literal, name, filter_name in pieces:
            out.append(literal)
            if name is None:
                continue
            if name not in context:
                return None
            value = context[name]
            if filter_name is not None:
                apply = self.filters.get(filter_name)
                if apply is None or self.env.filters.get(filter_name) is not apply:  # Jinja's own, or replaced
                    return None
                value = apply(value)
            out.append(value if type(value) is str else str(value))
        text = "".join(out)
        return text if text.endswith("\n") else text + "\n"


# `{{ name }}` or `{{ name | filter }}`, and text with no other Jinja syntax between them
_EXPRESSION = re.compile(r"\{\{ ([A-Za-z_][A-Za-z0-9_]*)(?: \| ([A-Za-z_][A-Za-z0-9_]*))? \}\}")
_SYNTAX = re.compile(r"\{[{%#]|[}%#]\}")


@lru_cache(maxsize=None)  # the built-in templates are the package's, read once per process
def _expression_pieces(folder: Path, template_name: str) -> tuple | None:
    """(text, name, filter) triples of a built-in template that is only text and expressions
    (`name` None for the text after the last), or None when it holds anything else: blocks,
    comments, whitespace control, other expressions, or when it is no built-in one."""
    try:
        source = (folder / template_name).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    if "\r" in source:
        return None  # Jinja rewrites line ends (newline_sequence)
    pieces, at = [], 0
    for match in _EXPRESSION.finditer(source):
        pieces.append((source[at:match.start()], match.group(1), match.group(2)))
        at = match.end()
    pieces.append((source[at:], None, None))
    if any(_SYNTAX.search(text) for text, _name, _filter in pieces):
        return None
    return tuple(pieces)


# What an override's output must parse as, by the artifact's file suffix (a built-in template's
# output is checked by the tests with each ecosystem's real tool; an override's is the team's own).
_OUTPUT_FORMATS = {".json": "JSON", ".avsc": "JSON", ".yaml": "YAML", ".yml": "YAML", ".py": "Python"}


def _check_override_output(template_name: str, filename: str, text: str) -> None:
    """TPL004 when an overriding template wrote what its artifact's format cannot parse: a broken
    JSON, YAML or Python file would otherwise be published, and fail only where it is deployed."""
    from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
    from meshgen.errors import TemplateFailure

    kind = _OUTPUT_FORMATS.get(os.path.splitext(template_name.removesuffix(".j2"))[1])
    problem = _format_problem(kind, text) if kind else None
    if problem is None:
        return
    line, column, what = problem
    raise TemplateFailure(f"template {template_name} wrote invalid {kind}", [Diagnostic(
        "TPL004", Severity.ERROR, f"template override {template_name} wrote invalid {kind}: {what} "
        f"(line {line}, column {column} of its output)", Location(display_path(filename), 1, 1),
        f"fix the override so that its output is valid {kind}; `meshgen build -t <target>` shows it again")])


def _format_problem(kind: str, text: str) -> tuple[int, int, str] | None:
    """(line, column, message) of the first thing `text` gets wrong as `kind`, or None."""
    if kind == "JSON":
        import json

        try:
            json.loads(text)
        except ValueError as exc:
            return getattr(exc, "lineno", 1), getattr(exc, "colno", 1), getattr(exc, "msg", str(exc))
    elif kind == "YAML":
        import yaml

        try:
            for _ in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
                pass  # events only: no tag is resolved and no alias expanded
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            return ((mark.line + 1, mark.column + 1) if mark else (1, 1)) + (str(getattr(exc, "problem", exc)),)
    else:
        import ast

        try:
            ast.parse(text)
        except SyntaxError as exc:
            return exc.lineno or 1, exc.offset or 1, exc.msg
    return None


def _failure_text(exc: BaseException) -> str:
    """What went wrong in a template's own words, not Python's advice to its programmer."""
    if isinstance(exc, RecursionError):
        return "it recursed too deeply (an include or macro that calls itself?)"
    if isinstance(exc, ValueError) and "int_max_str_digits" in str(exc):
        # Python refuses to print an integer of more than 4,300 digits (e.g. {{ 10**5000 }})
        return "a number too large to print (more than 4,300 digits)"
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def _template_line(exc: BaseException, filename: str) -> int:
    """The line of `filename` where a render failed: Jinja maps template frames to template lines."""
    import traceback

    line = 1
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename and frame.lineno:
            line = frame.lineno
    return line


def _mtime(path: Path) -> float | None:
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


def _override_loader(folder: Path):
    """The mesh's override folder, read as untrusted input (meshgen.load.files): a template that is a
    symlink leaving the folder, or a FIFO or device, is refused instead of landing in the artifacts."""
    from jinja2 import FileSystemLoader, TemplateNotFound
    from jinja2.loaders import split_template_path

    from meshgen.diagnostics import display_path
    from meshgen.load.files import read_bytes

    class OverrideLoader(FileSystemLoader):
        def get_source(self, environment, template):
            path = folder.joinpath(*split_template_path(template))
            if not os.path.lexists(path):
                raise TemplateNotFound(template)
            data = read_bytes(path, display_path(path), root=folder)
            mtime = os.path.getmtime(path)
            return data.decode("utf-8", errors="replace"), str(path), lambda: _mtime(path) == mtime

    return OverrideLoader(str(folder))


@lru_cache(maxsize=8)
def renderer_for(override_dir: str | None) -> TemplateRenderer:
    return TemplateRenderer(Path(override_dir) if override_dir else None)


# The codes this module reports (meshgen.reporting.codes collects every component's).
def _code_families():
    from meshgen.diagnostics import CodeFamily, DiagnosticCode

    return (CodeFamily("TPL", "A template parses and renders.", "docs/diagnostics.md", (
        DiagnosticCode("TPL001", "error (exit 2)", "a template does not parse; points at its file and line"),
        DiagnosticCode("TPL002", "error (exit 2)", "a template failed while rendering: an undefined name, something "
                                                   "the sandbox forbids, its range limit, a division by zero, endless "
                                                   "recursion; points at the template line"),
        DiagnosticCode("TPL003", "warning", "a `*.j2` file in the mesh's `templates:` folder overrides nothing: no "
                                            "target renders a template of that name (the hint names the nearest one); "
                                            "docs/templates.md lists them"),
        DiagnosticCode("TPL004", "error (exit 2)", "a template override wrote an artifact its format cannot parse "
                                                   "(JSON for .json and .avsc, YAML for .yaml, Python for .py); "
                                                   "names the line and column of the output"),
    ), configurable=False),)


CODE_FAMILIES = _code_families()
