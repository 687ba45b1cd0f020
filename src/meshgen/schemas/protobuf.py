"""Protobuf (proto3) files of datasets: a pure builder over (product, dataset, number lock,
reporter), shared by the protobuf target and the schema-registry subjects.

Package `<domain>.<product>.v<major>`; `timestamp` is google.protobuf.Timestamp and `json` is
google.protobuf.Value; decimal, date, time, timestamp_ntz and uuid are strings in their
canonical text form. Struct fields become nested messages, enums nested enums whose value
names carry the enum's name as a prefix and start with a zero `..._UNSPECIFIED` value.
Field and enum numbers come from the product's lock file (see targets/protobuf_lock.py): the
builder reads it and assigns numbers in memory; only the protobuf target writes it.
"""

from __future__ import annotations

import re

from collections import Counter
from dataclasses import dataclass, field as dc_field
from typing import TYPE_CHECKING, Any

from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, SchemaField, OutputPort
from meshgen.model.proto_types import PROTO_TYPES, WELL_KNOWN
from meshgen.naming import snake_case, upper_snake
from meshgen.model.types import DataType, Kind
from meshgen.model.values import to_python
from meshgen.schemas.avro import namespace
from meshgen.schemas.privacy import privacy, redacted
from meshgen.schemas.reporter import LISTED, FieldNotes, Reporter
from meshgen.targets.base import NameScope as Scope, TemplateInfo, identifier, is_identifier, pascal_case
from meshgen.targets.protobuf_lock import LockError, NumberLock, lock_path

if TYPE_CHECKING:
    from meshgen.render import TemplateRenderer

TEMPLATE = "protobuf/message.proto.j2"
PROTO_TEMPLATE_INFO = TemplateInfo("one dataset's .proto file (`<dataset>.proto`): messages, enums, gRPC services", (
    ("header", "the product address, dataset and version (one line; use the `comment` filter)"),
    ("package", "the proto package, `<domain>.<product>.v<major>`"),
    ("imports", "the well-known type files to import, sorted"),
    ("messages", "the record message, then the request/response messages: each has name, comment, fields "
                 "(label, type, name, number, options, comment), messages, enums (name, values as (name, number, "
                 "comment), reserved_numbers, reserved_names), reserved_numbers and reserved_names"),
    ("services", "one per grpc port: name, comment and rpcs as (name, request, response, comment)"),
))

# proto scalar or well-known type → meshgen kind, for importers: the proto types meshgen writes,
# and the other integer encodings as the meshgen integer that holds every value.
_PROTO_KINDS: dict[str, Kind] = {
    **{v: k for k, v in PROTO_TYPES.items() if v != "string"}, "string": Kind.STRING,
    **{name: k for k, (name, _) in WELL_KNOWN.items()},
    "sint32": Kind.INT, "sfixed32": Kind.INT, "uint32": Kind.LONG, "fixed32": Kind.LONG,
    "sint64": Kind.LONG, "sfixed64": Kind.LONG, "uint64": Kind.DECIMAL, "fixed64": Kind.DECIMAL,
}


def kind_of_proto(type_name: str) -> Kind | None:
    """The meshgen kind a proto field type reads as (None for a message or enum name).
    uint64 reads as decimal: no meshgen integer holds all of it."""
    return _PROTO_KINDS.get(type_name.lstrip("."))


def proto_field_name(name: str) -> str:
    """The lower_snake_case proto field name of a spec field (`fooBar` → `foo_bar`, whose default
    JSON name is `fooBar` again): buf's FIELD_LOWER_SNAKE_CASE. A renamed field keeps its name
    as its `json_name`."""
    snake = snake_case(name) or "field"
    return snake if not snake[0].isdigit() else "f_" + snake


# What a string-typed field holds, said in its comment.
TEXT_FORMS: dict[Kind, str] = {
    Kind.DATE: "date as text, e.g. 2026-11-02",
    Kind.TIME: "time of day as text, e.g. 10:15:00",
    Kind.TIMESTAMP_NTZ: "wall-clock timestamp without zone as text, e.g. 2026-11-02T10:15:00",
    Kind.UUID: "UUID as text",
}
ZERO: dict[str, Any] = {"string": "", "bool": False, "int32": 0, "int64": 0, "float": 0.0, "double": 0.0}


_CONSTRAINTS = ("unique", "minLength", "maxLength", "pattern", "minimum", "maximum")
# a spec name proto_field_name leaves as it is (its words joined by `_`: snake_case's own form)
_PROTO_NAME = re.compile(r"[a-z]+(?:_(?:[a-z]+|[0-9]+))*")
_LOWER_AFTER_UNDERSCORE = re.compile(r"_[a-z]")
_PLAIN_PROTO_TEXT = re.compile(r"[^\"\\'\x00-\x1f\x7f]*\Z")


def proto_string(text: str) -> str:
    """A proto string literal: quotes and backslashes escaped, control characters as octal."""
    if _PLAIN_PROTO_TEXT.match(text):  # nothing to escape (most names)
        return f'"{text}"'
    out = []
    for ch in text:
        if ch in ('"', "\\", "'"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def json_name(name: str) -> str:
    """protoc's default JSON name: underscores removed, the letter after one upper-cased."""
    if "_" not in name:
        return name
    if name.isascii() and not _LOWER_AFTER_UNDERSCORE.search(name):  # nothing to upper-case (`f_0`)
        return name.replace("_", "")
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest) if rest else head


@dataclass
class ProtoField:
    label: str  # "", "optional", "repeated"
    type: str
    name: str
    number: int
    options: str = ""
    comment: str = ""


@dataclass
class ProtoEnum:
    name: str
    values: list[tuple[str, int, str]]  # name, number, comment
    reserved_numbers: str = ""
    reserved_names: str = ""
    comment: str = ""


@dataclass
class ProtoMessage:
    name: str
    comment: str = ""
    fields: list[ProtoField] = dc_field(default_factory=list)
    messages: list["ProtoMessage"] = dc_field(default_factory=list)
    enums: list[ProtoEnum] = dc_field(default_factory=list)
    reserved_numbers: str = ""
    reserved_names: str = ""


@dataclass
class ProtoService:
    name: str
    comment: str
    rpcs: list[tuple[str, str, str, str]]  # name, request, response, comment


def proto_file_names(pf: ProductFile) -> dict[str, str]:
    """Dataset name → its `.proto` file inside the protobuf target's folder: where its package says
    (`<domain>/<product>/v<major>/`, buf's PACKAGE_DIRECTORY_MATCH), named so that import paths
    and protoc's Python plugins take it (identifiers; two that sanitize alike get a suffix)."""
    files = Scope()
    package_dir = namespace(pf).replace(".", "/")
    return {ds.name: f"{package_dir}/{files.claim(identifier(ds.name))}.proto" for ds in pf.product.datasets}


def proto_file(pf: ProductFile, ds: Dataset, lock: NumberLock, reporter: Reporter) -> dict[str, Any]:
    """The values of the .proto template for one dataset: package, imports, messages, services.
    New numbers are assigned in `lock` (in memory)."""
    return _ProtoBuild(pf, ds, lock, reporter).file()


def proto_text(renderer: "TemplateRenderer", pf: ProductFile, ds: Dataset, reporter: Reporter,
               lock: NumberLock | None = None) -> str:
    """One dataset's .proto text: the protobuf target's file. Without `lock`, numbered from the
    product's lock file as it stands (never written), for documents that embed the text."""
    if lock is None:
        lock = read_number_lock(pf, reporter)
    return renderer.render(TEMPLATE, **proto_file(pf, ds, lock, reporter))


def read_number_lock(pf: ProductFile, reporter: Reporter) -> NumberLock:
    """The product's Protobuf number lock (empty when it has none; PROTO010 when it is broken)."""
    try:
        return NumberLock.read(lock_path(pf.path))
    except LockError as exc:  # PROTO010/PROTO013, positioned in the lock file
        for diagnostic in exc.diagnostics:
            reporter.report(diagnostic)
        return NumberLock()


class _ProtoBuild:
    """One .proto file being built: its imports, the constraints it could not check."""

    def __init__(self, pf: ProductFile, ds: Dataset, lock: NumberLock, reporter: Reporter):
        self.pf, self.ds, self.lock, self.reporter = pf, ds, lock, reporter
        self.imports: set[str] = set()
        self.unenforced: list[tuple[tuple, str, str]] = []  # (field path, spec key, "field: constraint")
        self.field_notes: dict[int, FieldNotes] = {}  # id(message) -> its per-field notes (PROTO003/004)

    def file(self) -> dict[str, Any]:
        pf, ds = self.pf, self.ds
        file_scope = Scope()
        path = pf.dataset_path(ds.name)
        record = self._message(file_scope.claim(pascal_case(ds.name)), list(ds.fields), "", path, ds.description)
        if self.unenforced:
            (first, key, _), said = self.unenforced[0], [text for _, _, text in self.unenforced]
            self.reporter.unsupported("PROTO007", f"dataset {ds.name!r}: proto3 does not check values; "
                             f"{', '.join(said)} {'is' if len(said) == 1 else 'are'} stated in field comments only",
                             pf.location(*first, key),
                             "validate records with the JSON Schema or the pydantic models, which enforce these")
        messages, services = [record], []
        ports = [(i, p) for i, p in enumerate(pf.product.outputPorts) if p.type == "grpc" and p.dataset == ds.name]
        if ports:
            requests, rpcs = self._service_messages(record, file_scope, ports[0][0])
            messages += requests
            for index, port in ports:
                services.append(ProtoService(self._service_name(port, index, file_scope), port.description or "",
                                             rpcs))
        p = pf.product
        return {
            "package": namespace(pf),
            "imports": sorted(self.imports),
            "messages": messages,
            "services": services,
            "header": f"{p.address} dataset {ds.name}, version {p.version}. Generated by meshgen; do not edit.",
        }

    def _message(self, name: str, fields: list[SchemaField], key: str, path: tuple, comment: str | None) -> ProtoMessage:
        msg = ProtoMessage(name, comment or "")
        scope = Scope([name])
        names = [f.name for f in fields]
        numbers, reserved = self.lock.assign(self.ds.name, key, names)
        proto_names, explicit_json = self._field_names(name, fields, scope, path)
        for i, f in enumerate(fields):
            fname = f.name
            kind = f.data_type.kind
            if kind in PROTO_TYPES and f.default is None:  # a scalar with no default (most fields), as _field_type
                label, type_ = ("" if f.required else "optional"), PROTO_TYPES[kind]
            else:
                # the name of a nested type (enum, message, wrapper); a scalar's type has its own
                hint = "" if kind in PROTO_TYPES or kind in WELL_KNOWN else pascal_case(fname)
                label, type_ = self._field_type(msg, scope, f.data_type, hint, _join(key, fname), path + ("fields", i), f)
            marked = f.pii or f.classification
            if f.deprecated or marked:
                opts = [f"json_name = {proto_string(fname)}"] if fname in explicit_json else []
                if f.deprecated:
                    opts.append("deprecated = true")
                # kept out of debug strings and logs by protobuf's own printers (an unmarked field is public)
                if marked and redacted(f):
                    opts.append("debug_redact = true")
                options = f" [{', '.join(opts)}]" if opts else ""
            else:  # most fields: at most a json_name
                options = f" [json_name = {proto_string(fname)}]" if fname in explicit_json else ""
            msg.fields.append(ProtoField(label, type_, proto_names[fname], numbers[fname], options,
                                         self._field_comment(f, kind, key, path, i)))
        self._reserve(msg, reserved, proto_field_name)
        notes = self.field_notes.pop(id(msg), None)
        if notes is not None:
            notes.report(self.reporter, {
                "PROTO003": f"message {name}: {{count}} fields are not required, but proto3 cannot tell a missing "
                            "list or map from an empty one (null is read as empty): {listed}",
                "PROTO004": f"proto3 has no defaults: {{count}} fields of message {name} read as the zero value "
                            "when absent (each default is stated in its comment): {listed}"})
        return msg

    def _field_names(self, message: str, fields: list[SchemaField], scope: Scope, path: tuple) -> tuple[dict[str, str], set[str]]:
        """Each field's proto name (lower_snake_case, unique in the message; fields already so named
        claim theirs first), and the fields that need `json_name = <their spec name>`: a renamed
        field, and one whose default JSON name is another field's JSON name. Every JSON name is
        then unique, and none is another field's proto name (both are refused by protoc or the
        protobuf runtime). The renamed fields are one note (PROTO001) for the message."""
        names = [f.name for f in fields]
        bases = [name if _PROTO_NAME.fullmatch(name) else proto_field_name(name) for name in names]
        taken = scope.taken  # a plain scope (no folding, no keywords): a name is its own key
        proto_names: dict[str, str] = {}
        renamed: list[tuple[int, str, str]] = []  # (index, name, why): one note names the first of them
        for kept in (True, False):  # fields already so named first, then the others, each in order
            for i, name in enumerate(names):
                base = bases[i]
                if (base == name) is not kept:
                    continue
                candidate, n = base, 2
                while candidate in taken:
                    candidate, n = f"{base}_{n}", n + 1
                taken.add(candidate)
                proto_names[name] = candidate
                if candidate != name:
                    renamed.append((i, candidate, "taken in the message" if kept else
                                    "not a lower_snake_case Protobuf name"))
        if renamed:
            renamed.sort()
            shown = [f"{names[i]!r} as {candidate!r} ({why})" for i, candidate, why in renamed[:LISTED]]
            self.reporter.unsupported("PROTO001", f"message {message}: {_listed(shown, len(renamed), 'field')}; "
                                      "each keeps its spec name as its json_name",
                                      self.pf.location(*path, "fields", renamed[0][0], "name"),
                                      "use lower-case letters, digits and single underscores, starting with a letter")
        # protoc's default JSON name, once a field; a renamed field gets json_name whatever it is
        json_names = {name: json_name(p) for name, p in proto_names.items()}
        defaults = Counter(json_names.values())
        explicit = {name for name, p in proto_names.items()
                    if p != name or (json_names[name] != name and (json_names[name] in proto_names
                                                                   or defaults[json_names[name]] > 1))}
        return proto_names, explicit

    def _field_comment(self, f: SchemaField, kind: Kind, key: str, path: tuple, i: int) -> str:
        """A field's comment: its description, then what its type and constraints say that
        proto3 cannot (`key`: the field's message path, for the PROTO007 note; `path`, `i`: the
        message's data path and the field's index in it)."""
        constrained = f.unique or f.minLength or f.maxLength is not None or f.pattern is not None \
            or f.minimum is not None or f.maximum is not None  # few fields of a wide dataset are constrained
        if not (constrained or f.required or f.pii or f.classification or f.protection or f.default is not None
                or kind is Kind.DECIMAL or kind in TEXT_FORMS):
            return f.description or ""  # nothing to add (most fields)
        notes = []
        if kind is Kind.DECIMAL:
            notes.append(f"{f.data_type} as text, e.g. \"42.50\"")
        elif kind in TEXT_FORMS:
            notes.append(TEXT_FORMS[kind])
        if f.required:
            notes.append("required")
        marks = privacy(f)
        if marks:
            notes.append("; ".join(("pii" if k == "pii" else f"{k} {v}") for k, v in marks.items()))
        # Constraints proto3 cannot check: stated here; the value constraints are also reported
        # once per file (PROTO007).
        where = _join(key, f.name).replace("/", ".") if constrained else ""
        for spec_key in _CONSTRAINTS if constrained else ():
            value = getattr(f, spec_key)
            if value is None or value is False or (spec_key == "minLength" and value == 0):
                continue
            said = (spec_key if value is True else f"{spec_key} {value!r}" if spec_key == "pattern"
                    else f"{spec_key} {value}")
            notes.append(said)
            if spec_key != "unique":  # a property of the dataset, not of one message: stated only
                self.unenforced.append((path + ("fields", i), spec_key, f"{where} {said}"))
        if f.default is not None:
            notes.append(f"default: {f.default}")
        text = f.description or ""
        if notes:
            text = f"{text} ({'; '.join(notes)})".strip()
        return text

    def _reserve(self, target: ProtoMessage | ProtoEnum, reserved: list[tuple[str, int]], proto_name) -> None:
        if not reserved:
            return
        target.reserved_numbers = ", ".join(str(n) for _, n in reserved)
        names = sorted({proto_name(n) for n, _ in reserved} - {None})
        target.reserved_names = ", ".join(proto_string(n) for n in names)

    def _field_type(self, msg: ProtoMessage, scope: Scope, t: DataType, hint: str, key: str, path: tuple,
                    f: SchemaField | None) -> tuple[str, str]:
        """(label, type) of a field of type `t` declared in `msg`."""
        kind = t.kind
        required = f is None or f.required
        if kind is Kind.ARRAY:
            if f is not None and not f.required:
                self._collection_presence(msg, f, path)
            return "repeated", self._element(msg, scope, t.items, hint + "Item", key + "[]", path + ("items",))
        if kind is Kind.MAP:
            if f is not None and not f.required:
                self._collection_presence(msg, f, path)
            value = self._element(msg, scope, t.values, hint + "Value", key + "{}", path + ("values",))
            return "", f"map<string, {value}>"
        type_ = self._element(msg, scope, t, hint, key, path)
        if f is not None and f.default is not None:
            self._default(msg, f, type_, path)
        is_message = kind in (Kind.STRUCT, Kind.TIMESTAMP, Kind.JSON)
        return ("" if required or is_message else "optional"), type_

    def _element(self, msg: ProtoMessage, scope: Scope, t: DataType, hint: str, key: str, path: tuple) -> str:
        """The type name of a value of type `t` (never null) used inside `msg`."""
        kind = t.kind
        if kind in PROTO_TYPES:
            return PROTO_TYPES[kind]
        if kind in WELL_KNOWN:
            name, file = WELL_KNOWN[kind]
            self.imports.add(file)
            return name
        if kind is Kind.ENUM:
            msg.enums.append(self._enum(scope, t, hint, key, path))
            return msg.enums[-1].name
        if kind is Kind.STRUCT:
            nested = self._message(scope.claim(hint), list(t.fields), key, path, None)
            msg.messages.append(nested)
            return nested.name
        # A list or map inside a list or map: protobuf needs a wrapper message around it.
        wrapper = ProtoMessage(scope.claim(hint), f"wrapper for one {t}")
        label, inner = self._field_type(wrapper, Scope([wrapper.name, "value"]), t, hint, key, path, None)
        wrapper.fields.append(ProtoField(label, inner, "value", 1))
        msg.messages.append(wrapper)
        return wrapper.name

    def _enum(self, scope: Scope, t: DataType, hint: str, key: str, path: tuple) -> ProtoEnum:
        name = scope.claim(hint)
        prefix = upper_snake(name)
        numbers, reserved = self.lock.assign(self.ds.name, key, list(t.symbols), field_numbers=False)
        values = [(scope.claim(f"{prefix}_UNSPECIFIED"), 0, "no value")]
        folded = {"unspecified": "the zero value"}  # protoc rejects values differing only in case or underscores
        renamed = []
        for symbol in t.symbols:
            stem = upper_snake(symbol) or "VALUE"  # buf's ENUM_VALUE_UPPER_SNAKE_CASE
            candidate, i = stem, 2
            clash = folded.get(candidate.lower().replace("_", ""))
            while candidate.lower().replace("_", "") in folded:
                candidate, i = f"{stem}_{i}", i + 1
            folded[candidate.lower().replace("_", "")] = repr(symbol)
            value_name = scope.claim(f"{prefix}_{candidate}")
            if value_name != f"{prefix}_{symbol}":
                why = ("not an UPPER_SNAKE_CASE Protobuf name" if stem != symbol
                       else f"differs from {clash} only in case or underscores" if clash
                       else "taken by another name in the message")
                renamed.append(f"{symbol!r} as {value_name!r} ({why})")
            values.append((value_name, numbers[symbol], symbol if value_name != f"{prefix}_{symbol}" else ""))
        if renamed:
            self.reporter.unsupported("PROTO002", f"enum {name}: {_listed(renamed, len(renamed), 'symbol')}; "
                             "each symbol is kept in its value's comment",
                             self.pf.location(*path, "symbols"),
                             "use upper-case symbols made of letters, digits and underscores that differ in more "
                             "than case")
        enum = ProtoEnum(name, values)
        if reserved:
            enum.reserved_numbers = ", ".join(str(n) for _, n in reserved)
            enum.reserved_names = ", ".join(proto_string(f"{prefix}_{upper_snake(s) or 'VALUE'}") for s, _ in
                                            sorted(reserved))
        return enum

    def _collection_presence(self, msg: ProtoMessage, f: SchemaField, path: tuple) -> None:
        kind = f.data_type.kind.value
        self._notes(msg).add("PROTO003", f"{f.name!r} ({kind})",
                             f"field {f.name!r} is not required, but proto3 cannot tell a missing {kind} from an "
                             "empty one: null is read as empty", self.pf.location(*path, "name"),
                             "make the field required (an empty list or map for no values) if that is what it means")

    def _default(self, msg: ProtoMessage, f: SchemaField, type_: str, path: tuple) -> None:
        value = to_python(f.default, f.data_type)
        zero = ZERO.get(type_)
        if zero is not None and value == zero and isinstance(value, bool) == isinstance(zero, bool):
            return
        self._notes(msg).add("PROTO004", f"{f.name!r} (not {f.default!r})",
                             f"proto3 has no defaults: field {f.name!r} reads as the zero value when absent, "
                             f"not {f.default!r} (the default is stated in its comment)",
                             self.pf.location(*path, "default"), "readers must apply the default themselves")

    def _notes(self, msg: ProtoMessage) -> FieldNotes:
        """The per-field notes of a message, reported as one a code when it is complete (_message)."""
        return self.field_notes.setdefault(id(msg), FieldNotes())

    # ---- gRPC ---------------------------------------------------------------------------

    def _service_messages(self, record: ProtoMessage, file_scope: Scope, port_index: int):
        ds, pf = self.ds, self.pf
        base = record.name
        by_name = {f.name: f for f in ds.fields}
        proto_field = {pf_.name: pf_ for pf_ in record.fields}
        spec_to_proto = dict(zip([f.name for f in ds.fields], [pf_.name for pf_ in record.fields]))

        def qualified(t: str) -> str:
            nested = {m.name for m in record.messages} | {e.name for e in record.enums}
            return f"{base}.{t}" if t in nested else t

        messages, rpcs = [], []
        keys = [k for k in ds.primaryKey if k in by_name]
        if keys:
            get = ProtoMessage(file_scope.claim(f"Get{base}Request"), f"Get one {ds.name} record by its primary key.")
            numbers, _ = self.lock.assign(ds.name, "/GetRequest", keys)
            for k in keys:
                pfld = proto_field[spec_to_proto[k]]
                get.fields.append(ProtoField("", qualified(pfld.type), pfld.name, numbers[k], pfld.options, pfld.comment))
            # buf's STANDARD lint: every RPC has its own request and response (RPC_RESPONSE_STANDARD_NAME)
            got = ProtoMessage(file_scope.claim(f"Get{base}Response"), f"The {ds.name} record asked for.")
            record_field = proto_field_name(ds.name)
            numbers, _ = self.lock.assign(ds.name, "/GetResponse", [record_field])
            got.fields.append(ProtoField("", base, record_field, numbers[record_field]))
            messages += [get, got]
            rpcs.append((f"Get{base}", get.name, got.name, "Get one record by its primary key."))
        else:
            self.reporter.unsupported("PROTO005", f"dataset {ds.name!r} has no primaryKey: its gRPC service has List only",
                             pf.location(*pf.dataset_path(ds.name), "name"), "declare a primaryKey to get a Get RPC")
        filters = list(dict.fromkeys(k for k in ds.primaryKey + ds.partitionBy if k in by_name))
        lst = ProtoMessage(file_scope.claim(f"List{base}Request"),
                           "List records, a page at a time; each set filter must match exactly.")
        scope = Scope([lst.name])
        numbers, _ = self.lock.assign(ds.name, "/ListRequest", ["page_size", "page_token"] + filters)
        lst.fields.append(ProtoField("", "int32", scope.claim("page_size"), numbers["page_size"], "",
                                     "at most this many records (the server may return fewer)"))
        lst.fields.append(ProtoField("", "string", scope.claim("page_token"), numbers["page_token"], "",
                                     "next_page_token of the previous page; empty for the first page"))
        for k in filters:
            pfld = proto_field[spec_to_proto[k]]
            label = "" if pfld.type.startswith("google.") else "optional"  # keys are scalars
            lst.fields.append(ProtoField(label, qualified(pfld.type), scope.claim(pfld.name), numbers[k],
                                         pfld.options, f"filter: only records whose {k} is this value"))
        resp = ProtoMessage(file_scope.claim(f"List{base}Response"), "One page of records.")
        numbers, _ = self.lock.assign(ds.name, "/ListResponse", ["items", "next_page_token"])
        resp.fields.append(ProtoField("repeated", base, "items", numbers["items"]))
        resp.fields.append(ProtoField("", "string", "next_page_token", numbers["next_page_token"], "",
                                      "empty on the last page"))
        messages += [lst, resp]
        rpcs.append((f"List{base}", lst.name, resp.name, "List records a page at a time."))
        return messages, rpcs

    def _service_name(self, port: OutputPort, index: int, file_scope: Scope) -> str:
        name = pascal_case(port.name) + "Service"
        package = namespace(self.pf)
        if port.url:
            last = port.url.rstrip("/").rsplit("/", 1)[-1]
            pkg, _, svc = last.rpartition(".")
            if pkg == package and is_identifier(svc):
                name = svc
            elif pkg and is_identifier(svc):
                self.reporter.unsupported("PROTO006", f"port {port.name!r} names service {last!r}, but this file's package is "
                                 f"{package!r}; the service is {package}.{name}",
                                 self.pf.location("outputPorts", index, "url"),
                                 f"end the url with /{package}.<Service>")
        return file_scope.claim(name)


def _listed(shown: list[str], count: int, what: str) -> str:
    """`3 fields renamed: 'a' as 'b' (why); ...`: `shown` names at most LISTED of the `count`."""
    more = f"; and {count - LISTED:,} more" if count > LISTED else ""
    return f"{count:,} {what}{'s' if count > 1 else ''} renamed: {'; '.join(shown[:LISTED])}{more}"


def _join(key: str, name: str) -> str:
    return f"{key}/{name}" if key else name
