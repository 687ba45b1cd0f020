"""Stable Protobuf numbers: recorded in `<product file stem>.lock.json` beside the product file.

A field keeps its number for as long as it keeps its name, whatever the order of the fields
in the YAML; a new field gets the next unused number; a removed field's number and name stay
recorded and are written as `reserved`, so they are never reused. The file is JSON with
sorted keys, meant to be committed with the product.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from meshgen.serializer import json_document

ABOUT = ("Protobuf numbers assigned by meshgen (target protobuf). Commit this file with the product: "
         "a field keeps its number while it keeps its name, and a removed field's number is never reused.")
FIRST_RESERVED, LAST_RESERVED = 19000, 19999  # protoc's own range for field numbers


def lock_path(product_file: Path) -> Path:
    return product_file.with_name(product_file.stem + ".lock.json")


class LockError(ValueError):
    pass


class NumberLock:
    """name → number tables, one per message or enum, keyed by dataset and element path."""

    def __init__(self, tables: dict[str, dict[str, dict[str, int]]] | None = None):
        self.tables = tables or {}

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
            raise LockError(exc.diagnostics[0].message) from None
        try:
            data = json.loads(raw.decode("utf-8"))
            tables = data["protobuf"]
            ok = isinstance(tables, dict) and all(
                isinstance(ds, dict) and all(
                    isinstance(t, dict) and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                                                for n in t.values())
                    for t in ds.values())
                for ds in tables.values())
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LockError(f"cannot read {path}: {exc}") from None
        if not ok:
            raise LockError(f"{path} is not a meshgen lock file: `protobuf` must map dataset → element → name → number")
        return cls(tables)

    def text(self) -> str:
        return json_document({"about": ABOUT, "protobuf": self.tables})

    def assign(self, dataset: str, key: str, names: list[str], *, first: int = 1,
               field_numbers: bool = True) -> tuple[dict[str, int], list[tuple[str, int]]]:
        """Numbers for `names` (existing ones kept, new ones appended), and the reserved (name, number) pairs."""
        table = self.tables.setdefault(dataset, {}).setdefault(key, {})
        taken = set(table.values())
        nxt = max(taken | {first - 1}) + 1
        for name in names:
            if name in table:
                continue
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
