"""A small valid product to which hostile tests add one field, dataset or key."""

from __future__ import annotations

from pathlib import Path

HEAD = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: d
name: p
version: 1.0.0
owner: {team: t, email: t@example.com}
description: {purpose: a product for hostile-input tests}
datasets:
  - name: ds
    description: one row per thing
    primaryKey: [id]
    fields:
      - {name: id, type: long, required: true}
"""


def write_product(folder: Path, extra_fields: str = "", tail: str = "", head: str = HEAD) -> Path:
    """`extra_fields`: lines appended under the dataset's fields (6-space indent); `tail`: more
    YAML after them. Returns the product file."""
    path = folder / "dataproduct.yaml"
    path.write_text(head + extra_fields + tail, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
