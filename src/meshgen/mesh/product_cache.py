"""Loaded products kept between runs: a product file's validated model, read back instead of
parsing and validating the file again when its bytes did not change (and, the same way, a
checking pass's findings on one product: `recorded_findings`, `keep_findings`).

Each record (meshgen.signed_cache, kind `product`) is named by one digest of what loading the
file depends on: the file's bytes, its path as the build names it and as diagnostics show it
(relative to the working folder), meshgen's code digest and the Python and pydantic versions.
It holds the `ProductFile` (document, source map, validated model) and the findings validation
reported, pickled. The cache folder is this user's, but a record is still not believed unless it
is signed with this user's key (a planted or altered one is ignored and the file is loaded), and
it is read by an unpickler that builds only meshgen's own model, document and diagnostic classes
and a few standard value types: no function is ever called, whatever the bytes say. A file that
cannot be read, or that does not validate, is never cached.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import sys
from pathlib import Path
from typing import Any

from meshgen.diagnostics import display_path
from meshgen.load.collector import collector_paused

PRODUCT_RECORD = "product"  # the signed_cache kind of these records

# Where a record may take its classes from: these modules' own classes (defined there, not
# imported into them), and these standard value types.
_MODEL_MODULES = frozenset({"meshgen.model.models", "meshgen.model.types", "meshgen.model.loader",
                            "meshgen.load.yaml_source", "meshgen.load.scalars", "meshgen.diagnostics"})
_VALUE_TYPES = frozenset({("pathlib", "PosixPath"), ("pathlib", "PurePosixPath"), ("pathlib", "WindowsPath"),
                          ("decimal", "Decimal"), ("datetime", "date"), ("datetime", "datetime"),
                          ("datetime", "time"), ("datetime", "timedelta"), ("datetime", "timezone")})


class _ModelUnpickler(pickle.Unpickler):
    """Builds meshgen's model classes and plain values only; any other global is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _VALUE_TYPES:
            return super().find_class(module, name)
        if module in _MODEL_MODULES:
            found = getattr(sys.modules.get(module) or __import__(module, fromlist=[name]), name, None)
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a class a product record may hold")


def record_name(path: Path, content: str, code: str) -> str:
    """The record of the product file at `path` (as the build names it) whose bytes' sha256 is `content`."""
    import pydantic

    facts = [code, sys.version, pydantic.VERSION, str(path), display_path(path), content]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode("utf-8", "surrogateescape")).hexdigest()


def recorded_product(name: str) -> tuple[Any, list] | None:
    """(ProductFile, the findings its validation reported) from the record `name`, or None."""
    from meshgen.diagnostics import Diagnostic
    from meshgen.model.loader import ProductFile

    value = _unpickled(PRODUCT_RECORD, name)
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], ProductFile)
            and isinstance(value[1], list) and all(isinstance(d, Diagnostic) for d in value[1])):
        return None
    return value


def keep_product(name: str, pf: Any, diagnostics: list) -> None:
    """Record a product file just validated (before any pass has looked at it)."""
    from meshgen.model.loader import ProductFile

    bare = ProductFile(pf.path, pf.document, pf.product)  # without the lookup tables later passes add
    _keep_pickled(PRODUCT_RECORD, name, (bare, list(diagnostics)))


FINDINGS_RECORD = "findings"  # a checking pass's findings on one product (governance.engine)


def recorded_findings(name: str) -> list | None:
    """The diagnostics recorded as `name` (a digest of everything they depend on), or None."""
    from meshgen.diagnostics import Diagnostic

    value = _unpickled(FINDINGS_RECORD, name)
    return value if isinstance(value, list) and all(isinstance(d, Diagnostic) for d in value) else None


def keep_findings(name: str, diagnostics: list) -> None:
    _keep_pickled(FINDINGS_RECORD, name, list(diagnostics))


def _unpickled(kind: str, name: str) -> Any:
    from meshgen.signed_cache import read_bytes_record

    body = read_bytes_record(kind, name)
    if body is None:
        return None
    try:
        # thousands of objects made at once, no cycle among them: collections would only walk them
        with collector_paused():
            return _ModelUnpickler(io.BytesIO(body)).load()
    except Exception:  # noqa: BLE001 - a record that does not read back is a cache miss, whatever went wrong
        return None


def _keep_pickled(kind: str, name: str, value: Any) -> None:
    from meshgen.signed_cache import write_bytes_record

    try:
        with collector_paused():  # the pickler's memo holds every object: collections would walk it again and again
            body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return
    write_bytes_record(kind, name, body)
