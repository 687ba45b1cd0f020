"""A dataset's pydantic v2 models written directly from its JSON Schema, byte for byte the
module datamodel-code-generator 0.89 writes for it (pydantic v2 BaseModel, Python 3.11, its
built-in formatter at 88 columns), without its ~1 ms per field.

`models_source(schema)` returns the module (without datamodel-code-generator's header
comment) or None when the schema has a shape written here only by datamodel-code-generator:
nested objects (structs, arrays and maps of them), enums inside arrays or maps, names that
it renames (keywords, BaseModel attributes, leading underscores, names that are not ASCII
identifiers, names of the module's imports and types, colliding class names), enum symbols
it renames, patterns with a quote or outside printable ASCII, and lines too long for the
layouts below. The pydantic target then runs datamodel-code-generator; tests/targets/pydantic
compares the two on generated schemas and on every golden case.

Every string reaches the module through `repr` (what datamodel-code-generator writes for the
shapes accepted here), so any quote, backslash or control character stays inside its literal.
"""

from __future__ import annotations

import builtins
import keyword
import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from meshgen.schemas.privacy import X_KEYWORDS

LINE = 88
_FIELD = "    "  # a field's indent in its class
_SAFE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_SAFE_SYMBOL = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_SAFE_TITLE = re.compile(r"[A-Z][A-Za-z0-9]*\Z")
_PRINTABLE_ASCII = re.compile(r"[ -~]*\Z")
# Names a module of models imports or uses: a field or class of that name is renamed or aliased.
_MODULE_NAMES = frozenset({
    "annotations", "date", "datetime", "enum", "typing", "uuid", "pydantic", "any", "field",
    "conint", "confloat", "constr", "str", "int", "float", "bool", "list", "dict", "none",
})
_TYPE_NAMES = frozenset({"Any", "AwareDatetime", "BaseModel", "ConfigDict", "Field", "Enum", "StrEnum", "UUID",
                         "RootModel", "Optional", "Union", "Annotated", "Literal", "List", "Dict", "NoneType"})
_RESERVED_FIELDS = frozenset(dir(BaseModel)) | frozenset(dir(type(BaseModel)))  # the metaclass's too: `register`
_RESERVED_SYMBOLS = frozenset(dir(StrEnum)) | {"mro"}
_ROOT_KEYS = frozenset({"$schema", "$id", "title", "description", "type", "properties", "additionalProperties",
                        "required"})
_TYPE_KEYS = frozenset({"type", "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "enum", "items",
                        "additionalProperties", "not", "contentEncoding", "properties", "required"})
_FIELD_KEYS = _TYPE_KEYS | {"description", "deprecated", "default", "examples", "anyOf", *X_KEYWORDS}
_STDLIB = {"date": "datetime", "Enum": "enum", "StrEnum": "enum", "Any": "typing", "UUID": "uuid"}


class _Unwritten(Exception):
    """A shape this module leaves to datamodel-code-generator."""


def models_source(schema: dict[str, Any]) -> str | None:
    """The models module of one dataset's JSON Schema document, or None (see the module doc)."""
    try:
        return _ModuleWriter(schema).module()
    except _Unwritten:
        return None


class _ModuleWriter:
    def __init__(self, schema: dict[str, Any]):
        self.schema = schema
        self.names: set[str] = set()  # what the module imports from pydantic and the standard library
        # Each class's source, in datamodel-code-generator's order: an enum when its field is
        # read, a model once its fields are (so nested classes come before their parents).
        self.bodies: list[str] = []
        self.classes: set[str] = set()
        self.field_names: set[str] = set()

    def module(self) -> str:
        s = self.schema
        title = s.get("title")
        if set(s) - _ROOT_KEYS or not isinstance(title, str) or not _SAFE_TITLE.match(title):
            raise _Unwritten
        self.model(title, s)
        if self.field_names & (self.classes | _TYPE_NAMES):
            raise _Unwritten  # datamodel-code-generator renames a field named as a class
        return "\n\n\n".join([self.imports(), *self.bodies])

    def model(self, title: str, s: dict[str, Any]) -> str:
        """Write the class of an object schema (after the classes of its fields); its name."""
        if (s.get("type") != "object" or s.get("additionalProperties") is not False or not s.get("properties")
                or not _SAFE_TITLE.match(title) or _taken(title) or title in self.classes):
            raise _Unwritten
        self.classes.add(title)
        required = set(s.get("required", ()))
        fields = [self.field(name, prop, name in required) for name, prop in s["properties"].items()]
        self.names |= {"BaseModel", "ConfigDict"}
        self.bodies.append("\n".join([f"class {title}(BaseModel):", "    model_config = ConfigDict(",
                                       "        extra='forbid',", "    )", *fields]))
        return title

    def imports(self) -> str:
        lines = ["from __future__ import annotations"]
        modules: dict[str, list[str]] = {}
        for name in self.names:
            if name in _STDLIB:
                modules.setdefault(_STDLIB[name], []).append(name)
        stdlib = [f"from {m} import {', '.join(sorted(names, key=_import_order))}" for m, names in sorted(modules.items())]
        if stdlib:
            lines += ["", *stdlib]
        pydantic = sorted((n for n in self.names if n not in _STDLIB), key=_import_order)
        line = f"from pydantic import {', '.join(pydantic)}"
        if len(line) > LINE:
            line = "from pydantic import (\n" + "".join(f"    {n},\n" for n in pydantic) + ")"
        return "\n".join([*lines, "", line])

    def field(self, name: str, prop: dict[str, Any], required: bool) -> str:
        if (not _SAFE_NAME.match(name) or keyword.iskeyword(name) or name in _RESERVED_FIELDS
                or name in _MODULE_NAMES or name.startswith("model_") or not _FIELD_KEYS.issuperset(prop)):
            raise _Unwritten
        self.field_names.add(name)
        annotation, extra, nullable = self.annotation(name, prop)
        if required and nullable:
            raise _Unwritten
        optional = not required or nullable
        if optional:
            annotation += " | None"
        default = prop.get("default")
        if default is not None and (not isinstance(default, (str, bool, int, float))
                                    or _container(prop)):
            raise _Unwritten  # a default of an array, map or object is written by datamodel-code-generator
        keywords = _field_keywords(prop, extra)
        if keywords:
            first = "..." if not optional else repr(default)
            self.names.add("Field")
            return _field_line(name, annotation, [_argument(first), *keywords])
        value = None if not optional else repr(default)
        line = f"{_FIELD}{name}: {annotation}" + ("" if value is None else f" = {value}")
        if len(line) <= LINE:
            return line
        return _long_plain_line(name, annotation, value)

    def annotation(self, name: str, prop: dict[str, Any]) -> tuple[str, dict[str, Any], bool]:
        """The type, json_schema_extra beyond the x- keywords, and whether null is allowed."""
        if "anyOf" in prop:  # a nullable map
            branches = prop["anyOf"]
            if len(branches) != 2 or branches[1] != {"type": "null"} or set(branches[0]) - {"type", "additionalProperties"}:
                raise _Unwritten
            return self.type(branches[0], name)[0], {}, True
        if "type" not in prop and "not" not in prop and "enum" not in prop:  # json, nullable
            self.names.add("Any")
            return "Any", {}, True
        types = prop.get("type")
        nullable = isinstance(types, list)
        if nullable:
            if len(types) != 2 or types[1] != "null":
                raise _Unwritten
            prop = {**prop, "type": types[0]}
        text, extra = self.type(prop, name)
        return text, extra, nullable

    def type(self, s: dict[str, Any], name: str, where: str = "field") -> tuple[str, dict[str, Any]]:
        """The annotation of a (non-null) schema and its json_schema_extra. `where` it is: a
        field's own type, an array's items, a map's values, or deeper ("nested"), which decides
        the name of an enum or object class there (none is written for "nested")."""
        if where != "field" and set(s) - _TYPE_KEYS:
            raise _Unwritten
        if "not" in s:
            if s["not"] != {"type": "null"}:
                raise _Unwritten
            self.names.add("Any")
            return "Any", {}
        kind = s.get("type")
        if "enum" in s and where != "nested":
            title = _singular(_class_name(name), "Enum") if where == "array" else _class_name(name)
            return self.enum(title, s["enum"]), {}
        if kind == "object" and "properties" in s and where != "nested":
            title = _singular(_class_name(name), "Item") if where == "array" else _class_name(name)
            return self.model(title, s), {}
        if kind == "string" and "enum" not in s:
            return self.string(s)
        if kind in ("integer", "number"):
            return self.number(s), {}
        if kind == "boolean":
            return "bool", {}
        inner = "nested" if where != "field" else None
        if kind == "array" and isinstance(s.get("items"), dict):
            return f"list[{self.type(s['items'], name, inner or 'array')[0]}]", {}
        if kind == "object" and "properties" not in s and isinstance(s.get("additionalProperties"), dict):
            return f"dict[str, {self.type(s['additionalProperties'], name, inner or 'map')[0]}]", {}
        raise _Unwritten

    def string(self, s: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        fmt = s.get("format")
        limits = {k: s[k] for k in ("pattern", "minLength", "maxLength") if k in s}
        if fmt == "date":
            if set(limits) - {"pattern"}:
                raise _Unwritten
            self.names.add("date")
            return "date", {}
        if fmt in ("date-time", "uuid"):
            if limits:
                raise _Unwritten
            name = "AwareDatetime" if fmt == "date-time" else "UUID"
            self.names.add(name)
            return name, {}
        if fmt is not None:
            raise _Unwritten
        extra = {"contentEncoding": s["contentEncoding"]} if "contentEncoding" in s else {}
        if not limits:
            return "str", extra
        args = []
        if "pattern" in limits:
            pattern = limits["pattern"]
            # (`constr(` in a pattern would mislead the layout rules, which look for the call)
            if (not isinstance(pattern, str) or "'" in pattern or not _PRINTABLE_ASCII.match(pattern)
                    or "con" in pattern):
                raise _Unwritten
            args.append(f"pattern=r'{pattern}'")
        args += [f"{key}={s[json]!r}" for key, json in (("min_length", "minLength"), ("max_length", "maxLength"))
                 if json in s]
        self.names.add("constr")
        return f"constr({', '.join(args)})", extra

    def number(self, s: dict[str, Any]) -> str:
        bounds = [(key, s[json]) for key, json in (("ge", "minimum"), ("le", "maximum")) if json in s]
        if not bounds:
            return "int" if s["type"] == "integer" else "float"
        if s["type"] == "integer":
            if not all(isinstance(v, int) and not isinstance(v, bool) for _, v in bounds):
                raise _Unwritten
            self.names.add("conint")
            return f"conint({', '.join(f'{k}={v!r}' for k, v in bounds)})"
        self.names.add("confloat")
        return f"confloat({', '.join(f'{k}={float(v)!r}' for k, v in bounds)})"

    def enum(self, title: str, symbols: list[Any]) -> str:
        nullable = symbols[-1:] == [None]
        values = symbols[:-1] if nullable else symbols
        if (not values or len(set(values)) != len(values)
                or not all(isinstance(v, str) and _SAFE_SYMBOL.match(v) and not keyword.iskeyword(v)
                           and v not in _RESERVED_SYMBOLS for v in values)):
            raise _Unwritten
        if _taken(title) or title in self.classes:
            raise _Unwritten
        self.classes.add(title)
        base = "Enum" if nullable else "StrEnum"
        self.names.add(base)
        members = [f"    {v} = {v!r}" for v in values] + (["    NoneType_None = None"] if nullable else [])
        self.bodies.append("\n".join([f"class {title}({base}):", *members]))
        return title


def _container(prop: dict[str, Any]) -> bool:
    types = prop.get("type")
    types = types if isinstance(types, list) else [types]
    return "anyOf" in prop or "array" in types or "object" in types


def _class_name(field: str) -> str:
    """The class datamodel-code-generator names after a field: each `_`-separated part capitalized."""
    title = "".join(part[:1].upper() + part[1:] for part in field.split("_") if part)
    if not _SAFE_TITLE.match(title):
        raise _Unwritten
    return title


def _singular(class_name: str, suffix: str) -> str:
    """The class datamodel-code-generator names after an array field's items: the singular noun
    of the field's class name by inflect (a dependency of datamodel-code-generator), else the
    name and `suffix` (`Item` for an object, `Enum` for an enum)."""
    global _INFLECT
    if _INFLECT is None:
        _INFLECT = _inflect_engine()
    singular = _INFLECT.singular_noun(class_name)
    return singular if singular else f"{class_name}{suffix}"


_INFLECT: Any = None


def _inflect_engine() -> Any:
    """inflect's engine, imported without typeguard's run-time checks: inflect 7 decorates its
    functions with typeguard's @typechecked, which re-parses and recompiles their source when
    inflect is imported (~3 s of CPU in every build process that names an array's items; 0.2 s
    without). The checks only raise on arguments of the wrong type; the names are the same."""
    import sys

    if "inflect" not in sys.modules:
        try:
            import typeguard
        except ImportError:
            typeguard = None
        checked = getattr(typeguard, "typechecked", None)
        if typeguard is not None:
            typeguard.typechecked = _unchecked
        try:
            import inflect  # noqa: F401
        except ImportError:
            raise _Unwritten from None
        finally:
            if typeguard is not None:
                typeguard.typechecked = checked
    return sys.modules["inflect"].engine()


def _unchecked(target: Any = None, **_options: Any) -> Any:
    """typeguard.typechecked's shape (`@typechecked` or `@typechecked(...)`), checking nothing."""
    return target if target is not None else (lambda function: function)


def _taken(class_name: str) -> bool:
    return class_name in _TYPE_NAMES or hasattr(builtins, class_name) or class_name.lower() in _MODULE_NAMES


def _import_order(name: str) -> tuple[int, str]:
    """isort's order within an import: constants, classes, then the rest, each case-insensitively."""
    category = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return category, name.lower()


class _Argument(str):
    """One argument of Field(...) as written on one line; `mapping` is its dict value, which the
    formatter splits over lines when the argument does not fit (json_schema_extra)."""

    mapping: dict[str, Any] | None = None


def _argument(text: str, mapping: dict[str, Any] | None = None) -> _Argument:
    arg = _Argument(text)
    arg.mapping = mapping
    return arg


def _field_keywords(prop: dict[str, Any], extra: dict[str, Any]) -> list[_Argument]:
    """Field(...)'s keyword arguments, in datamodel-code-generator's order."""
    out = []
    if prop.get("deprecated"):
        out.append(_argument("deprecated=True"))
    for key in ("description", "examples"):
        if key in prop:
            out.append(_argument(f"{key}={prop[key]!r}"))
    marked = any(k in prop for k in X_KEYWORDS)  # most fields have no x- keyword: no walk of their keys
    mapping = {**extra, **{k: v for k, v in prop.items() if k in X_KEYWORDS}} if marked else extra
    if mapping:
        out.append(_argument(f"json_schema_extra={mapping!r}", mapping))
    return out


_CONSTRAINED = ("constr(", "conint(", "confloat(")


def _field_line(name: str, annotation: str, arguments: list[_Argument]) -> str:
    """`name: annotation = Field(arguments)` in the built-in formatter's layout."""
    call = f"Field({', '.join(arguments)})"
    target = f"{_FIELD}{name}: "
    value_prefix = f"{target}{annotation} = "
    if len(value_prefix + call) <= LINE:
        return value_prefix + call
    union = annotation.endswith(" | None")
    left = annotation[: -len(" | None")] if union else annotation
    if union and left.startswith(_CONSTRAINED) and (len(target + annotation) > LINE or len(left) > LINE - 24):
        return f"{target}{_constrained_union(left)} = {call}"  # the call is left whole
    if union and len(value_prefix + "(") > LINE:
        return f"{target}{_parenthesized_union(annotation)} = {call}"
    if union and len(value_prefix + "Field(") > LINE:
        return value_prefix + _parenthesized_call(arguments)
    if not union and len(value_prefix) > LINE - 16 and (left.startswith("constr(") or "constr(" not in left):
        return value_prefix + _parenthesized_call(arguments)
    return value_prefix + _call(arguments, _FIELD)


def _parenthesized_call(arguments: list[_Argument]) -> str:
    """`(`, the call one level in (split when it does not fit there either), `)`."""
    inner = _FIELD + "    "
    call = f"Field({', '.join(arguments)})"
    if len(inner + call) > LINE:
        call = _call(arguments, inner)
    return f"(\n{inner}{call}\n{_FIELD})"


def _call(arguments: list[_Argument], indent: str) -> str:
    """A Field(...) call at `indent` split over lines: its arguments on one line when they fit,
    else one a line (a dict argument that does not fit split too)."""
    inner = indent + "    "
    written = [_dict_argument(arg, inner) if arg.mapping is not None and len(inner + arg) > LINE else str(arg)
               for arg in arguments]
    joined = inner + ", ".join(written)
    if not any("\n" in arg for arg in written) and len(joined) <= LINE:
        return f"Field(\n{joined}\n{indent})"
    comma = "," if len(arguments) > 1 else ""
    return "Field(\n" + "".join(f"{inner}{arg}{comma}\n" for arg in written) + f"{indent})"


def _dict_argument(arg: _Argument, indent: str) -> str:
    """`key={` then an entry a line one level in (a comma after each when there are several), `}`."""
    assert arg.mapping is not None
    comma = "," if len(arg.mapping) > 1 else ""
    key = arg.split("=", 1)[0]
    entries = "".join(f"{indent}    {k!r}: {v!r}{comma}\n" for k, v in arg.mapping.items())
    return f"{key}={{\n{entries}{indent}}}"


def _parenthesized_union(annotation: str) -> str:
    """`(`, `T | None` one level in (or T, then `| None` under it), `)`."""
    inner = _FIELD + "    "
    if len(inner + annotation) <= LINE:
        return f"(\n{inner}{annotation}\n{_FIELD})"
    left = annotation[: -len(" | None")]
    if len(inner + left) > LINE and ("[" in left or "(" in left):
        raise _Unwritten  # the formatter splits the subscript or call too
    return f"(\n{inner}{left}\n{inner}| None\n{_FIELD})"


def _constrained_union(call: str) -> str:
    """`(constr(...) | None)` split as the built-in formatter splits a constrained type or None."""
    inner = _FIELD + "    "
    if len(inner + call) > LINE:
        name, _, rest = call.partition("(")
        arguments = _split_arguments(rest[:-1])
        comma = "," if len(arguments) > 1 else ""
        call = f"{name}(\n" + "".join(f"{inner}    {a}{comma}\n" for a in arguments) + f"{inner})"
    elif len(f"{inner}{call} | None") <= LINE:
        return f"(\n{inner}{call} | None\n{_FIELD})"
    return f"(\n{inner}{call}\n{inner}| None\n{_FIELD})"


def _split_arguments(text: str) -> list[str]:
    """The keyword arguments of a constrained type's call (a `, ` splits them but in a pattern)."""
    parts, start, quote = [], 0, False
    for i, ch in enumerate(text):
        if ch == "'":  # patterns written here hold no quote
            quote = not quote
        elif not quote and ch == "," and text[i + 1:i + 2] == " ":
            parts.append(text[start:i])
            start = i + 2
    parts.append(text[start:])
    return parts


def _long_plain_line(name: str, annotation: str, value: str | None) -> str:
    """A field line without Field(...) that does not fit, in the built-in formatter's layout;
    a required field's annotation alone is left as it is."""
    target = f"{_FIELD}{name}: "
    union = annotation.endswith(" | None")
    if value is None:
        if union:
            raise _Unwritten
        return target + annotation
    left = annotation[: -len(" | None")] if union else annotation
    annotation_prefix = target + annotation
    if union and left.startswith(_CONSTRAINED):
        return f"{target}{_constrained_union(left)} = {value}"
    if union and value.startswith(("'", '"')):
        if len(annotation_prefix + " = (") > LINE:
            return f"{target}{_parenthesized_union(annotation)} = {value}"
    elif union and "constr(" in annotation and len(annotation_prefix) > LINE:
        return f"{target}(\n{_FIELD}    {annotation}\n{_FIELD}) = {value}"
    elif union and left.isidentifier() and (len(annotation_prefix) > LINE or len(annotation_prefix + " = (") > LINE):
        return f"{target}{_parenthesized_union(annotation)} = {value}"  # `T | None` is a simple union
    return f"{annotation_prefix} = (\n{_FIELD}    {value}\n{_FIELD})"

