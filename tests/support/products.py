"""Small product files that tests write: one dataset and the fields a test adds."""

from __future__ import annotations


def one_dataset_product(field_lines: str = "", *, domain: str = "qa", name: str = "wide") -> str:
    """A valid product with one dataset `things` (primary key `id`, a long); `field_lines` are
    more fields, each a line `      - {name: ..., type: ...}`."""
    return f"""apiVersion: meshgen/v1
kind: DataProduct
domain: {domain}
name: {name}
version: 1.0.0
owner: {{team: {domain}-team, email: {domain}@example.com}}
description: {{purpose: a product written by a test}}
datasets:
  - name: things
    description: one row per thing
    primaryKey: [id]
    fields:
      - {{name: id, type: long, required: true}}
""" + field_lines
