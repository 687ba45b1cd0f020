"""Examples made invalid on purpose: a wrong type, a missing required field."""

from __future__ import annotations

import copy
from typing import Any, Iterator

from meshgen.model.models import Dataset
from meshgen.model.types import Kind


def mutated_examples(ds: Dataset) -> Iterator[tuple[str, dict[str, Any]]]:
    """(what was broken, the broken row) for the dataset's first example."""
    if not ds.examples:
        return
    row = ds.examples[0]
    for f in ds.fields:
        if f.data_type.kind is Kind.JSON or f.name not in row:
            continue
        bad = copy.deepcopy(row)
        # A list is never a scalar; a number is never a list, map or struct.
        bad[f.name] = 123 if f.data_type.kind in (Kind.ARRAY, Kind.MAP, Kind.STRUCT) else [1]
        yield f"wrong type for {f.name}", bad
        break
    for f in ds.fields:
        if f.required and f.default is None and f.name in row:
            bad = copy.deepcopy(row)
            del bad[f.name]
            yield f"missing required {f.name}", bad
            break
