"""Text → plain data + a source map.

YAML is untrusted input. We read the parser's event stream and build plain Python values from
it ourselves (meshgen.load.builder), so that:
- no tag can construct an object (`!!python/object` and every non-core tag is refused),
- anchors' aliases are refused (they exist to repeat data, and to blow up its size),
- duplicate keys are an error at the second key, pointing back at the first,
- nesting deeper than MAX_DEPTH is refused where it starts, with no recursion at any depth,
- every key and value keeps its 1-based line and column for diagnostics,
- scalars resolve by YAML 1.2 (meshgen.load.scalars), whichever parser read the file.

The parser is libyaml, through PyYAML's binding (libyaml 0.2.5+, which reads YAML 1.2's plain
scalars with a ':' inside flow collections), else ruamel.yaml.clib's; what libyaml rejects is
read again by ruamel.yaml's pure YAML 1.2 parser, whose error is the one reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
from meshgen.errors import InputError
from meshgen.load.builder import EventClasses, NeedsComposer, TooDeep, ValueBuilder
from meshgen.load.collector import collector_paused
from meshgen.load.files import MAX_FILE_BYTES, read_bytes
from meshgen.load.nesting import MAX_DEPTH
from meshgen.load.scalars import YamlFloat

__all__ = ["Document", "SourceMap", "YamlFloat", "load_yaml", "parse_yaml", "read_text"]

Path_ = tuple  # a path into the data: keys (str) and list indices (int)


@dataclass
class SourceMap:
    """Where each key and value of a document was written."""

    file: str
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def location(self, path: Path_ = (), *, key: bool = False) -> Location:
        """The position of the value at `path` (or of its key), else of its nearest ancestor."""
        path = tuple(path)
        while True:
            table = self.keys if key else self.values
            if path in table:
                line, col = table[path]
                return Location(self.file, line, col)
            if key and path in self.values:
                line, col = self.values[path]
                return Location(self.file, line, col)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]
            key = False

    def has(self, path: Path_) -> bool:
        return tuple(path) in self.values


@dataclass
class Document:
    path: Path
    data: Any
    source: SourceMap


def _diag(code: str, file: str, line: int, col: int, message: str, hint: str) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, Location(file, line, col), hint)


def read_text(path: Path, shown: str, root: Path | None = None) -> str:
    """Read a file as UTF-8, turning every way it can fail into one positioned diagnostic.

    The file must be a regular file (inside `root`, when given): see meshgen.load.files.
    """
    return decode_text(read_bytes(path, shown, root=root, limit=MAX_FILE_BYTES), shown)


def decode_text(raw: bytes, shown: str) -> str:
    """A file's bytes as UTF-8 text (a byte-order mark dropped); LOAD005 at the first byte that
    is not UTF-8."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(f"{shown} is not UTF-8", [
            _diag("LOAD005", shown, line, col,
                  f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                  "save the file as UTF-8")]) from None


_YAML: dict[bool, Any] = {}


def _yaml(pure: bool = False):
    """A configured ruamel.yaml YAML 1.2 loader: C-accelerated (libyaml, when ruamel.yaml.clib is
    installed), or ruamel's pure-Python parser."""
    if pure not in _YAML:
        from ruamel.yaml import YAML
        from ruamel.yaml.resolver import VersionedResolver

        class Resolver(VersionedResolver):
            # The stock property probes the scanner for a %YAML directive on every scalar
            # (an AttributeError each time under the C parser); product files are YAML 1.2.
            processing_version = (1, 2)

        loader = YAML(typ="safe", pure=pure)
        loader.Resolver = Resolver
        _YAML[pure] = loader
    return _YAML[pure]


_PARSERS: dict[str, Any] = {}


def _libyaml():
    """(events of a text, their classes, the errors that mean "libyaml rejects it") of the
    fastest libyaml binding installed, or None."""
    if "libyaml" not in _PARSERS:
        found = None
        try:
            import yaml
            from yaml._yaml import CParser

            found = (lambda text: iter(CParser(text).get_event, None), EventClasses.of(yaml.events),
                     (yaml.YAMLError, UnicodeError))
        except ImportError:  # PyYAML without its libyaml binding: ruamel's, when it has one
            fast = _yaml(pure=False)
            if fast is not _yaml(pure=True):
                from ruamel.yaml import events
                from ruamel.yaml.error import YAMLError

                found = (fast.parse, EventClasses.of(events), (YAMLError,))
        _PARSERS["libyaml"] = found
    return _PARSERS["libyaml"]


def _pure_events():
    if "pure" not in _PARSERS:
        from ruamel.yaml import events

        _PARSERS["pure"] = (_yaml(pure=True).parse, EventClasses.of(events))
    return _PARSERS["pure"]


def _build(text: str, shown: str) -> tuple[bool, Any, ValueBuilder]:
    """(whether there is a document, its value, the builder with its positions and findings).

    Parse errors propagate as ruamel.yaml's (the pure parser's) errors."""
    fast = _libyaml()
    if fast is not None:
        events, classes, rejected = fast
        try:
            return _built(events(text), classes, shown, text)
        except rejected:
            pass  # not YAML to libyaml (a YAML 1.1 parser): the pure YAML 1.2 parser decides
        except NeedsComposer:
            _composer_error(text)
    events, classes = _pure_events()
    try:
        return _built(events(text), classes, shown, text)
    except NeedsComposer:
        _composer_error(text)


def _built(stream, classes: EventClasses, shown: str, text: str) -> tuple[bool, Any, ValueBuilder]:
    builder = ValueBuilder(shown, text)
    try:
        with collector_paused():  # values and positions: no cycles to look for while they are built
            return (*builder.build(stream, classes), builder)
    finally:
        # A stream left unfinished (the builder stopped early) is closed now: ruamel's parse
        # generator resets its loader's parser only when it ends, and the loader is reused.
        close = getattr(stream, "close", None)
        if close is not None:
            close()


def _composer_error(text: str):
    """Raise the error ruamel.yaml's composer finds (a second document, an alias of no anchor)."""
    from ruamel.yaml.error import YAMLError

    _yaml(pure=True).compose(text)
    raise YAMLError("the document cannot be read as one YAML document")


def load_yaml(path: Path | str, root: Path | None = None, *, empty_ok: bool = False) -> Document:
    """Load a YAML file; with `root`, a file whose real path leaves that folder is refused.

    With `empty_ok`, an empty file (or one of comments only) is a document whose data is None.
    """
    path = Path(path)
    shown = display_path(path)
    text = read_text(path, shown, root)
    return parse_yaml(text, shown, path, empty_ok=empty_ok)


def parse_yaml(text: str, shown: str, path: Path | None = None, *, empty_ok: bool = False) -> Document:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if "\t" in text:
        # A tab in indentation is the most common YAML mistake; say so precisely.
        for lineno, line in enumerate(text.splitlines(), start=1):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                raise InputError(f"{shown}: tab in indentation", [
                    _diag("LOAD001", shown, lineno, len(line) - len(stripped) + 1,
                          "tab character used for indentation", "indent with spaces")])
    try:
        found, data, builder = _build(text, shown)
    except TooDeep as deep:
        raise InputError(f"{shown}: nesting too deep", [
            _diag("LOAD008", shown, deep.line, deep.column, f"nesting deeper than {MAX_DEPTH} levels",
                  "flatten the structure")]) from None
    except MarkedYAMLError as exc:
        raise InputError(f"{shown}: invalid YAML", [_syntax_error(exc, shown)]) from None
    except (YAMLError, RecursionError) as exc:
        raise InputError(f"{shown}: invalid YAML", [
            _diag("LOAD001", shown, 1, 1, f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else 'nesting too deep'}",
                  "fix the YAML syntax")]) from None

    if not found and empty_ok:
        return Document(path or Path(shown), None, SourceMap(shown))
    if not found:
        raise InputError(f"{shown} is empty", [
            _diag("LOAD006", shown, 1, 1, "the file is empty", "run `meshgen init` to start from a valid product")])
    errors = builder.errors
    if builder.first_alias is not None:
        line, col, name = builder.first_alias
        errors.insert(0, _diag("LOAD004", shown, line, col,
                               f"alias *{name} is not allowed: anchors and aliases are not supported",
                               "write the value out in full; a product file should read top to bottom"))
    if errors:
        raise InputError(f"{shown}: unsupported YAML", errors)
    return Document(path or Path(shown), data, SourceMap(shown, builder.values, builder.keys))


def _syntax_error(exc, shown: str) -> Diagnostic:
    """LOAD001 at the position of a parse error; an unclosed construct points at where it opened."""
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
        mark = exc.context_mark  # an unclosed quote or bracket: point at where it opened
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem:
        problem = f"{exc.problem} ({exc.context})"
    hint = "fix the YAML syntax at this position (indentation, a missing ':' or an unclosed quote)"
    ctx = exc.context_mark
    if ctx is not None and mark is not None and (ctx.line, ctx.column) != (mark.line, mark.column):
        hint = f"{exc.context or 'the construct'} that starts at line {ctx.line + 1}, column {ctx.column + 1} is not closed or not valid"
    return _diag("LOAD001", shown, line, col, f"invalid YAML: {problem}", hint)
