"""Mesh-wide facts kept between builds: one signed record per mesh (meshgen.signed_cache, kind
`mesh`, named by the mesh root's absolute path), so that a build after an edit puts together
what it publishes for the whole mesh from each product's part instead of computing it again.

Today it keeps each product's entry of `_mesh/index.json` (meshgen.mesh.index.product_entry_text),
keyed by the product's record name (meshgen.mesh.product_cache.record_name: a digest of the file's
bytes, its path, meshgen's code and the Python and pydantic versions, all an entry depends on).
A product loaded without a record (no cache) has its entry computed, never looked up. The record
holds only the entries of the products of the last build that saved it, so it does not grow.

The record is untrusted in shape as every cached record is: one not signed with this user's key
(planted, copied from elsewhere, altered) is ignored by signed_cache; one of another mesh root,
or whose values are not texts, is ignored here, and the entries are computed again.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh
    from meshgen.model.loader import ProductFile

MESH_RECORD = "mesh"  # the signed_cache kind of these records


def record_name(mesh: "Mesh") -> str:
    return hashlib.sha256(os.path.abspath(mesh.root).encode("utf-8", "surrogateescape")).hexdigest()


class MeshRecord:
    """The kept facts of `mesh`: `index_entry(pf)` is a product's index entry, from the record when
    it holds one for the product's record name; `save()` records the entries this build used."""

    def __init__(self, mesh: "Mesh"):
        self.mesh = mesh
        self.kept = _kept_entries(mesh) if mesh.cached else {}
        self.used: dict[str, str] = {}
        self.computed = 0

    def index_entry(self, pf: "ProductFile") -> str:
        from meshgen.mesh.index import product_entry_text

        record = self.mesh.records.get(str(pf.path))
        text = self.kept.get(record) if record is not None else None
        if text is None:
            text = product_entry_text(pf)
            self.computed += 1
        if record is not None:
            self.used[record] = text
        return text

    def save(self) -> None:
        """Write the record when this build computed an entry or left one out (only then)."""
        from meshgen.signed_cache import write_record

        if not self.mesh.cached or (not self.computed and self.used.keys() == self.kept.keys()):
            return
        write_record(MESH_RECORD, record_name(self.mesh), {"root": os.path.abspath(self.mesh.root),
                                                           "index": self.used})
        self.kept, self.computed = dict(self.used), 0


def _kept_entries(mesh: "Mesh") -> dict[str, str]:
    from meshgen.signed_cache import read_record

    record: Any = read_record(MESH_RECORD, record_name(mesh))
    if not isinstance(record, dict) or record.get("root") != os.path.abspath(mesh.root):
        return {}
    entries = record.get("index")
    if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
        return {}
    return entries
