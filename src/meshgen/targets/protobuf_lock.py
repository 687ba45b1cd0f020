"""Stable Protobuf numbers: recorded in `<product file stem>.lock.json` beside the product file.

A field keeps its number for as long as it keeps its name, whatever the order of the fields
in the YAML; a new field gets the next unused number; a removed field's number and name stay
recorded and are written as `reserved`, so they are never reused. The file is JSON with
sorted keys, meant to be committed with the product.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meshgen.diagnostics import Diagnostic, Location, Severity

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh

from meshgen.serializer import json_document

ABOUT = ("Protobuf numbers assigned by meshgen (target protobuf). Commit this file with the product: "
         "a field keeps its number while it keeps its name, and a removed field's number is never reused.")
FIRST_RESERVED, LAST_RESERVED = 19000, 19999  # protoc's own range for field numbers
MAX_NUMBER = 2**29 - 1  # the largest field number protoc accepts


def lock_path(product_file: Path) -> Path:
    return product_file.with_name(product_file.stem + ".lock.json")


class LockError(ValueError):
    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


class NumberLock:
    """name → number tables, one per message or enum, keyed by dataset and element path."""

    def __init__(self, tables: dict[str, dict[str, dict[str, int]]] | None = None):
        self.tables = tables or {}
        self.changed = False  # whether assign added a table or a name: text() differs from before

    @classmethod
    def read(cls, path: Path) -> "NumberLock":
        import os

        from meshgen.diagnostics import display_path
        from meshgen.errors import InputError
        from meshgen.load.files import read_bytes

        if not os.path.lexists(path):
            return cls()
        try:
            # untrusted like the product beside it: a regular file in the product's folder, size-capped
            raw = read_bytes(path, display_path(path), root=path.parent)
        except InputError as exc:
            message = exc.diagnostics[0].message
            raise LockError(message, [_lock_diag(
                "PROTO010", path, 1, 1, message,
                "fix the file from version control; deleting it renumbers every field")]) from None
        try:
            text = raw.decode("utf-8")
        except ValueError as exc:
            raise LockError(f"cannot read {path}: {exc}", [_lock_diag(
                "PROTO010", path, 1, 1, f"cannot read the Protobuf lock: {exc}",
                "restore the file from version control; deleting it renumbers every field")]) from None
        tables, problems = parse_lock(text, path)
        if problems:
            raise LockError(problems[0].message, problems)
        return cls(tables)

    def text(self) -> str:
        return json_document({"about": ABOUT, "protobuf": self.tables})

    def assign(self, dataset: str, key: str, names: list[str], *, first: int = 1,
               field_numbers: bool = True) -> tuple[dict[str, int], list[tuple[str, int]]]:
        """Numbers for `names` (existing ones kept, new ones appended), and the reserved (name, number) pairs."""
        elements = self.tables.setdefault(dataset, {})
        if key not in elements:
            elements[key] = {}
            self.changed = True
        table = elements[key]
        taken = set(table.values())
        nxt = max(max(taken, default=first - 1), first - 1) + 1
        for name in names:
            if name in table:
                continue
            self.changed = True
            while nxt in taken or (field_numbers and FIRST_RESERVED <= nxt <= LAST_RESERVED):
                nxt += 1
            table[name] = nxt
            taken.add(nxt)
            nxt += 1
        current = set(names)
        reserved = sorted(((n, num) for n, num in table.items() if n not in current), key=lambda p: (p[1], p[0]))
        return {n: table[n] for n in names}, reserved

    def snapshot(self) -> Any:
        return copy.deepcopy(self.tables)


# ---- checking a lock file ---------------------------------------------------------------------

def _lock_diag(code: str, path: Path, line: int, col: int, message: str, hint: str, related=()) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, Location(str(path), line, col), hint, related=tuple(related))


def _entry_lines(text: str) -> dict[tuple, tuple[int, int]]:
    """(dataset, element, name) → (line, column) of its entry, for a lock in the indented
    layout meshgen writes (and a text merge keeps); other layouts get no positions."""
    found: dict[tuple, tuple[int, int]] = {}
    stack: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        m = re.match(r'^( *)("(?:[^"\\]|\\.)*")\s*:', line)
        if not m:
            continue
        level = len(m.group(1)) // 2
        try:
            key = json.loads(m.group(2))
        except ValueError:
            continue
        del stack[max(level - 1, 0):]
        stack.append(key)
        if level == 4 and stack[0] == "protobuf":
            found[tuple(stack[1:4])] = (number, len(m.group(1)) + 1)
    return found


def parse_lock(text: str, path: Path) -> tuple[dict, list[Diagnostic]]:
    """The lock's tables, and every problem with them: bad JSON or shape (PROTO010), a number
    held by two names or outside protoc's range (PROTO013). A clean git merge of two branches
    that each added a field gives both the same number: a .proto that protoc rejects."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        return {}, [_lock_diag("PROTO010", path, line, col, f"the Protobuf lock is not JSON: {getattr(exc, 'msg', exc)}",
                               "resolve the merge conflict or restore the file from version control")]
    tables = data.get("protobuf") if isinstance(data, dict) else None
    ok = isinstance(tables, dict) and all(
        isinstance(ds, dict) and all(
            isinstance(t, dict) and all(isinstance(n, int) and not isinstance(n, bool) for n in t.values())
            for t in ds.values())
        for ds in tables.values())
    if not ok:
        return {}, [_lock_diag("PROTO010", path, 1, 1,
                               "not a meshgen lock file: `protobuf` must map dataset → element → name → number",
                               "restore the file from version control; deleting it renumbers every field")]
    found: list[dict] = []  # the entries' positions, read only once a problem needs them

    def position(key: tuple) -> tuple[int, int]:
        if not found:
            found.append(_entry_lines(text))
        return found[0].get(key, (1, 1))

    problems: list[Diagnostic] = []
    for dataset, elements in sorted(tables.items()):
        for element, table in sorted(elements.items()):
            holder: dict[int, str] = {}
            where = f"{dataset}{'.' + element.replace('/', '.') if element else ''}"
            for name, number in sorted(table.items(), key=lambda item: (item[1], item[0])):
                if 1 <= number <= MAX_NUMBER and number not in holder:
                    holder[number] = name
                    continue
                line, col = position((dataset, element, name))
                if not 1 <= number <= MAX_NUMBER:
                    problems.append(_lock_diag(
                        "PROTO013", path, line, col, f"{where}: {name!r} has number {number}, outside 1 to {MAX_NUMBER}",
                        f"delete the line of {name!r}; the next `meshgen build` gives it the next free number"))
                elif number in holder:
                    first = holder[number]
                    problems.append(_lock_diag(
                        "PROTO013", path, line, col,
                        f"{where}: number {number} is held by both {first!r} and {name!r} "
                        "(a merge of two branches that each added a name?)",
                        "keep the number of the one already published, delete the other's line, and run "
                        "`meshgen build`: it gets the next free number (a removed name's number stays reserved)",
                        related=[Location(str(path), *position((dataset, element, first)))]))
    return tables, problems


def check_locks(mesh: "Mesh") -> list[Diagnostic]:
    """A checking pass: every selected product's Protobuf lock, when it has one."""
    out: list[Diagnostic] = []
    for pf in mesh.selected_products():
        path = lock_path(pf.path)
        if path.is_file():
            try:
                NumberLock.read(path)
            except LockError as exc:
                out.extend(exc.diagnostics)
    return out
