"""YAML events → plain values and the position of every key and value.

The values are built from the parser's event stream directly, with an explicit stack: no node
tree is composed (it costs an object per node and, in C, a recursion per level that deep
nesting turns into a crash), and nothing is ever constructed from a tag. The policy it applies
(meshgen.load.yaml_source's docstring): core tags only, no anchors' aliases, no merge keys,
duplicate keys refused at the second with the first as related position, nesting at most
MAX_DEPTH levels.

Both parsers meshgen uses (libyaml through PyYAML or ruamel.yaml.clib, and ruamel.yaml's pure
YAML 1.2 parser) produce events of the same shape, each from its own classes: `EventClasses`
names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.load.nesting import MAX_DEPTH, SAFE_COMPOSE_DEPTH, depth_upper_bound
from meshgen.load.scalars import (
    BOOL, CORE_PREFIX, CORE_TAGS, EXACT, FIRST, INT, MERGE, NULL, STR, TIMESTAMP, YamlFloat, resolve_plain,
    yaml_float, yaml_int,
)

_NO_KEY = object()  # a mapping waits for its next key
_SKIP = object()    # a mapping skips the value of a refused key


@dataclass(frozen=True)
class EventClasses:
    """One parser library's event classes."""

    scalar: type
    mapping_start: type
    sequence_start: type
    mapping_end: type
    sequence_end: type
    alias: type
    document_start: type

    @classmethod
    def of(cls, events_module) -> "EventClasses":
        m = events_module
        return cls(m.ScalarEvent, m.MappingStartEvent, m.SequenceStartEvent, m.MappingEndEvent,
                   m.SequenceEndEvent, m.AliasEvent, m.DocumentStartEvent)


class NeedsComposer(Exception):
    """The stream is one that only a composer can judge (a second document, an alias of no
    anchor): the caller lets ruamel.yaml's composer raise its error."""


class TooDeep(Exception):
    """A collection nested deeper than MAX_DEPTH in a text that could nest much deeper:
    reported alone, before the rest of the stream is read (it may never end)."""

    def __init__(self, line: int, column: int):
        super().__init__(line, column)
        self.line, self.column = line, column


def _diag(code: str, file: str, mark, message: str, hint: str) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, Location(file, mark.line + 1, mark.column + 1), hint)


class ValueBuilder:
    """Builds one document's values; `errors` holds what the policy refused, in document order,
    and `first_alias` the (line, column, name) of the first alias, if any."""

    def __init__(self, file: str, text: str):
        self.file = file
        self.text = text
        self.values: dict[tuple, tuple[int, int]] = {}
        self.keys: dict[tuple, tuple[int, int]] = {}
        self.errors: list[Diagnostic] = []
        self.first_alias: tuple[int, int, str] | None = None
        self._bound: int | None = None
        self.anchors: set | None = None

    # A call per event or per node would cost as much as the parse itself.
    # long: the loader's hot path is one loop over the events, its state kept in locals
    def build(self, events, classes: EventClasses) -> tuple[bool, Any]:
        """(whether the stream holds a document, its value)."""
        Scalar, MapStart, SeqStart = classes.scalar, classes.mapping_start, classes.sequence_start
        MapEnd, SeqEnd, Alias, DocStart = classes.mapping_end, classes.sequence_end, classes.alias, classes.document_start
        values, keys, first, exact = self.values, self.keys, FIRST, EXACT
        # anchors are tracked only when one can be written: an alias of no anchor is an error
        anchors = self.anchors = set() if "&" in self.text else None
        stack: list = []
        cur: Any = None        # the open collection (None: the document level)
        cur_path: tuple = ()
        is_map = False
        key: Any = _NO_KEY     # in a mapping: the path of the value to come (its key last)
        depth = skip = documents = 0
        root: Any = None
        for event in events:
            cls = type(event)
            if skip:  # inside a refused node: only its anchors and aliases still count
                if cls is MapEnd or cls is SeqEnd:
                    skip -= 1
                    continue
                if cls is MapStart or cls is SeqStart:
                    skip += 1
                self._unread(event, cls is Alias)
                continue
            if cls is MapEnd or cls is SeqEnd:
                cur, cur_path, is_map, key = stack.pop()
                depth -= 1
                continue
            if cls is not Scalar and cls is not MapStart and cls is not SeqStart and cls is not Alias:
                if cls is DocStart:
                    documents += 1
                    if documents > 1:
                        raise NeedsComposer()
                continue
            if is_map:
                if key is _NO_KEY:
                    if cls is Scalar and anchors is None and event.tag is None:
                        # the common key, inline: text (plain or quoted) that is new in its mapping
                        text = event.value
                        if text not in cur and (not event.implicit[0] or (text not in exact and text[:1] not in first)):
                            mark = event.start_mark
                            key = cur_path + (text,)
                            keys[key] = (mark.line + 1, mark.column + 1)
                            continue
                    key = self._key(event, cls is Scalar, cls is Alias, cur, cur_path)
                    if key is _SKIP and (cls is MapStart or cls is SeqStart):
                        skip = 1
                    continue
                if key is _SKIP:
                    key = _NO_KEY
                    if cls is MapStart or cls is SeqStart:
                        skip = 1
                    self._unread(event, cls is Alias)
                    continue
                path = key  # the tuple the key's position is filed under: one tuple for both
            elif cur is None:
                path = ()
            else:
                path = cur_path + (len(cur),)
            mark = event.start_mark
            values[path] = (mark.line + 1, mark.column + 1)
            if anchors is not None and cls is not Alias and event.anchor is not None:
                anchors.add(event.anchor)
            if cls is Scalar:
                value = event.value
                if event.tag is not None or depth > MAX_DEPTH or (event.implicit[0] and (value[:1] in first or value in exact)):
                    value = self._tagged(event, event.tag, depth)  # else: plain text, the common case
            elif cls is Alias:
                value = self._alias(event, anchors)
            else:
                tag = event.tag
                if depth > MAX_DEPTH:
                    value = self._too_deep(event, True)
                elif tag is not None and tag != "!" and tag not in CORE_TAGS:
                    value = self._refuse_tag(event, tag)
                else:
                    value = {} if cls is MapStart else []
            if cur is None:
                root = value
            elif is_map:
                cur[key[-1]] = value
                key = _NO_KEY
            else:
                cur.append(value)
            if cls is MapStart or cls is SeqStart:
                if value is None:
                    skip = 1
                    continue
                stack.append((cur, cur_path, is_map, key))
                cur, cur_path, is_map, key = value, path, cls is MapStart, _NO_KEY
                depth += 1
        return documents > 0, root

    def _unread(self, event, alias: bool) -> None:
        """A node that is not built (refused, or in a refused node) may still define an anchor
        or be an alias: the composer would have seen both."""
        if alias:
            self._alias(event, self.anchors)
        elif self.anchors is not None and event.anchor is not None:
            self.anchors.add(event.anchor)

    def _key(self, event, scalar: bool, alias: bool, mapping: dict, path: tuple) -> Any:
        """The path of the value whose key `event` starts, or _SKIP when the key is refused."""
        self._unread(event, alias)
        if alias:
            return _SKIP
        tag = event.tag
        if scalar and (tag is None or tag == "!"):
            tag = resolve_plain(event.value) if event.implicit[0] else STR
        if tag == MERGE:
            self.errors.append(_diag("LOAD004", self.file, event.start_mark, "merge keys (<<) are not allowed",
                                     "write the keys out in full"))
            return _SKIP
        if not scalar or tag not in CORE_TAGS:
            self.errors.append(_diag("LOAD003", self.file, event.start_mark, "only plain scalar keys are allowed",
                                     "write the keys out in full"))
            return _SKIP
        key = event.value if tag == STR else self._scalar(event, tag)
        if not isinstance(key, str):
            key = str(event.value)
        mark = event.start_mark
        position = (mark.line + 1, mark.column + 1)
        if key in mapping:
            fl, fc = self.keys[path + (key,)]
            self.errors.append(Diagnostic(
                "LOAD002", Severity.ERROR, f"duplicate key {key!r}", Location(self.file, *position),
                f"remove one of the two; the first is at line {fl}", related=(Location(self.file, fl, fc),)))
            return _SKIP
        key_path = path + (key,)
        self.keys[key_path] = position
        return key_path

    def _alias(self, event, anchors: set | None) -> None:
        """An alias is refused (it repeats data, and can expand exponentially); one of no
        anchor is the composer's error."""
        if anchors is None or event.anchor not in anchors:
            raise NeedsComposer()
        if self.first_alias is None:
            mark = event.start_mark
            self.first_alias = (mark.line + 1, mark.column + 1, event.anchor)
        return None

    def _tagged(self, event, tag: str | None, depth: int) -> Any:
        """A scalar with a tag (or below the depth limit)."""
        if depth > MAX_DEPTH:
            return self._too_deep(event, False)
        if tag is None or tag == "!":
            tag = resolve_plain(event.value) if event.implicit[0] else STR
        if tag not in CORE_TAGS:
            return self._refuse_tag(event, tag)
        return self._scalar(event, tag)

    def _refuse_tag(self, event, tag: str) -> None:
        self.errors.append(_diag(
            "LOAD003", self.file, event.start_mark, f"YAML tag {tag.replace(CORE_PREFIX, '!!')} is not allowed",
            "remove the tag: meshgen reads plain YAML values only (strings, numbers, booleans, lists, maps)"))
        return None

    def _too_deep(self, event, collection: bool) -> None:
        if collection:
            if self._bound is None:
                self._bound = depth_upper_bound(self.text)
            if self._bound > SAFE_COMPOSE_DEPTH:
                raise TooDeep(event.start_mark.line + 1, event.start_mark.column + 1)
        self.errors.append(_diag("LOAD008", self.file, event.start_mark, f"nesting deeper than {MAX_DEPTH} levels",
                                 "flatten the structure"))
        return None

    def _scalar(self, event, tag: str) -> Any:
        """The value of a scalar whose tag is a core one."""
        text = event.value
        if tag == STR or tag == TIMESTAMP:
            # Timestamps stay text: the spec model decides whether a field is a date.
            return text
        if tag == NULL:
            return None
        if tag == BOOL:
            return text.lower() == "true"
        try:
            if tag == INT:
                return yaml_int(text)
            return YamlFloat(yaml_float(text), text)
        except Exception:  # an out-of-range or malformed number
            shown = text if len(text) <= 40 else f"{text[:20]}...{text[-8:]}"
            digits = sum(ch.isdigit() for ch in text)
            if digits > 4000:  # beyond Python's int_max_str_digits: say it in the user's words
                self.errors.append(_diag("LOAD001", self.file, event.start_mark,
                                         f"the number {shown} has {digits} digits, more than any target can hold",
                                         "use a smaller number, or quote it if it is text"))
            else:
                self.errors.append(_diag("LOAD001", self.file, event.start_mark, f"cannot read value {shown!r}",
                                         "quote it if it is text"))
            return None

