"""Text → plain data + a source map.

YAML is untrusted input. We let ruamel.yaml compose a node tree (which carries positions) and
build plain Python values from it ourselves, so that:
- no tag can construct an object (`!!python/object` and every non-core tag is refused),
- anchors and aliases are refused (they exist to repeat data, and to blow up its size),
- duplicate keys are an error at the second key, pointing back at the first,
- every key and value keeps its 1-based line and column for diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
from meshgen.errors import InputError
from meshgen.load.files import MAX_FILE_BYTES, read_bytes
from meshgen.load.nesting import MAX_DEPTH, first_too_deep

Path_ = tuple  # a path into the data: keys (str) and list indices (int)

_CORE_PREFIX = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _MERGE = (
    _CORE_PREFIX + t for t in ("str", "int", "float", "bool", "null", "timestamp", "merge"))
_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class YamlFloat(float):
    """A YAML float that remembers how it was written, so a bound like 99999999999999999.99
    keeps every digit where the model reads it exactly (meshgen.model.models.Number)."""

    text: str

    def __new__(cls, value: float, text: str):
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __reduce__(self):  # copies and pickles keep the text
        return YamlFloat, (float(self), self.text)


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
    raw = read_bytes(path, shown, root=root, limit=MAX_FILE_BYTES)
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


_YAML: dict[bool, YAML] = {}


def _yaml(pure: bool = False):
    """A configured YAML 1.2 loader: C-accelerated (libyaml, when ruamel.yaml.clib is installed), or
    ruamel's pure-Python parser. Both resolve scalars with the same YAML 1.2 resolver."""
    if pure not in _YAML:
        from ruamel.yaml.resolver import VersionedResolver

        class Resolver(VersionedResolver):
            # The stock property probes the scanner for a %YAML directive on every scalar
            # (an AttributeError each time under the C parser); product files are YAML 1.2.
            processing_version = (1, 2)

        loader = YAML(typ="safe", pure=pure)
        loader.Resolver = Resolver
        _YAML[pure] = loader
    return _YAML[pure]


def _compose(text: str):
    """The node tree of `text`, and the loader that composed it.

    libyaml is a YAML 1.1 parser and rejects some valid YAML 1.2, such as a plain scalar with a
    ':' inside a flow mapping (`{product: data://checkout/orders/v1}`). When it fails, the pure
    parser (YAML 1.2) decides; if both fail, the pure parser's error is the one reported.
    """
    from ruamel.yaml.error import YAMLError

    fast = _yaml(pure=False)
    try:
        return fast.compose(text), fast
    except YAMLError:
        pure = _yaml(pure=True)
        if pure is fast:
            raise
    return pure.compose(text), pure


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

    too_deep = first_too_deep(text)
    if too_deep is not None:
        line, col, depth = too_deep
        raise InputError(f"{shown}: nesting too deep", [
            _diag("LOAD008", shown, line, col, f"nesting deeper than {MAX_DEPTH} levels",
                  "flatten the structure")])
    try:
        node, yaml = _compose(text)
    except MarkedYAMLError as exc:
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
        raise InputError(f"{shown}: invalid YAML", [
            _diag("LOAD001", shown, line, col, f"invalid YAML: {problem}", hint)]) from None
    except (YAMLError, RecursionError) as exc:
        raise InputError(f"{shown}: invalid YAML", [
            _diag("LOAD001", shown, 1, 1, f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else 'nesting too deep'}",
                  "fix the YAML syntax")]) from None

    if node is None and empty_ok:
        return Document(path or Path(shown), None, SourceMap(shown))
    if node is None:
        raise InputError(f"{shown} is empty", [
            _diag("LOAD006", shown, 1, 1, "the file is empty", "run `meshgen init` to start from a valid product")])

    source = SourceMap(shown)
    builder = _Builder(yaml, source)
    data = builder.build(node, (), 0)
    if builder.aliased:
        builder.errors.insert(0, _first_alias(text, shown))
    if builder.errors:
        raise InputError(f"{shown}: unsupported YAML", builder.errors)
    return Document(path or Path(shown), data, source)


def _first_alias(text: str, shown: str) -> Diagnostic:
    """Where the first alias (`*name`) is written: only the event stream knows."""
    from ruamel.yaml.events import AliasEvent

    line = col = 1
    name = ""
    for event in YAML(typ="safe", pure=True).parse(text):
        if isinstance(event, AliasEvent):
            line, col, name = event.start_mark.line + 1, event.start_mark.column + 1, event.anchor
            break
    return _diag("LOAD004", shown, line, col, f"alias *{name} is not allowed: anchors and aliases are not supported",
                 "write the value out in full; a product file should read top to bottom")


class _Builder:
    def __init__(self, yaml, source: SourceMap):
        self.constructor = yaml.constructor
        self.source = source
        self.errors: list[Diagnostic] = []
        self.seen: set[int] = set()
        self.aliased = False

    def _err(self, node, code: str, message: str, hint: str) -> None:
        m = node.start_mark
        self.errors.append(_diag(code, self.source.file, m.line + 1, m.column + 1, message, hint))

    def build(self, node, path: Path_, depth: int) -> Any:
        mark = node.start_mark
        self.source.values[path] = (mark.line + 1, mark.column + 1)
        if id(node) in self.seen:
            # An alias: the composer hands back the anchored node itself. Stop here; the
            # alias's own position is found by _first_alias (it can expand exponentially).
            self.aliased = True
            return None
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self._err(node, "LOAD008", f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure")
            return None
        tag = node.tag
        if tag not in _CORE_TAGS:
            self._err(node, "LOAD003", f"YAML tag {tag.replace(_CORE_PREFIX, '!!')} is not allowed",
                      "remove the tag: meshgen reads plain YAML values only (strings, numbers, booleans, lists, maps)")
            return None
        if isinstance(node, ScalarNode):
            return self._scalar(node, tag)
        if isinstance(node, SequenceNode):
            return [self.build(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        self._err(node, "LOAD003", "unsupported YAML node", "use plain YAML values")
        return None

    def _mapping(self, node, path: Path_, depth: int) -> dict:
        out: dict = {}
        first: dict = {}
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE:
                self._err(key_node, "LOAD004", "merge keys (<<) are not allowed", "write the keys out in full")
                continue
            if not isinstance(key_node, ScalarNode) or key_tag not in _CORE_TAGS:
                self._err(key_node, "LOAD003", "only plain scalar keys are allowed", "write the keys out in full")
                continue
            key = self._scalar(key_node, key_tag)
            if not isinstance(key, str):
                key = str(key_node.value)
            km = key_node.start_mark
            position = (km.line + 1, km.column + 1)
            if key in out:
                fl, fc = first[key]
                self.errors.append(Diagnostic(
                    "LOAD002", Severity.ERROR, f"duplicate key {key!r}", Location(self.source.file, *position),
                    f"remove one of the two; the first is at line {fl}", related=(Location(self.source.file, fl, fc),)))
                continue
            first[key] = position
            self.source.keys[path + (key,)] = position
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out

    def _scalar(self, node, tag: str) -> Any:
        if tag == _STR or tag == _TIMESTAMP:
            # Timestamps stay text: the spec model decides whether a field is a date.
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return node.value.lower() == "true"
        try:
            if tag == _INT:
                return self.constructor.construct_yaml_int(node)
            return YamlFloat(self.constructor.construct_yaml_float(node), node.value)
        except Exception:  # an out-of-range or malformed number
            value = node.value if len(node.value) <= 40 else f"{node.value[:20]}...{node.value[-8:]}"
            digits = sum(ch.isdigit() for ch in node.value)
            if digits > 4000:  # beyond Python's int_max_str_digits: say it in the user's words
                self._err(node, "LOAD001", f"the number {value} has {digits} digits, more than any target can hold",
                          "use a smaller number, or quote it if it is text")
            else:
                self._err(node, "LOAD001", f"cannot read value {value!r}", "quote it if it is text")
            return None
