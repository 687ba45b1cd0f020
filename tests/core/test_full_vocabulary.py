"""The project's own full-vocabulary product uses every key of the models, and builds.

Tests build it instead of ../shared's reference file, so a clone with nothing beside it runs
the whole suite; a key added to the models fails here until the product shows it.
"""

from __future__ import annotations

import json
import typing

from pydantic import BaseModel

from meshgen.model.loader import load_product
from meshgen.model.models import DataProduct
from tests.conftest import FULL_VOCABULARY


def _models_in(annotation) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through Optional, list, dict, Union, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def every_model_key(root: type[BaseModel] = DataProduct) -> set[tuple[str, str]]:
    """(model name, key) for every key of every model reachable from `root`."""
    keys: set[tuple[str, str]] = set()
    seen: set[type] = set()
    todo = [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for key, info in model.model_fields.items():
            keys.add((model.__name__, key))
            todo.extend(_models_in(info.annotation))
    return keys


def keys_written(value) -> set[tuple[str, str]]:
    """(model name, key) for every key the loaded product sets, nested models included."""
    found: set[tuple[str, str]] = set()
    if isinstance(value, BaseModel):
        found |= {(type(value).__name__, key) for key in value.model_fields_set}
        for key in value.model_fields_set:
            found |= keys_written(getattr(value, key))
    elif isinstance(value, (list, tuple)):
        for item in value:
            found |= keys_written(item)
    elif isinstance(value, dict):
        for item in value.values():
            found |= keys_written(item)
    return found


def test_the_walk_reaches_nested_models():
    keys = every_model_key()
    # a model reached only through list[...] inside Optional[...] inside another model
    assert ("TypeSpec", "symbols") in keys and ("QualityCheck", "mustBeBetween") in keys
    assert ("SchemaField", "fields") in keys and ("Waiver", "expires") in keys


def test_every_key_of_the_models_appears_in_the_full_vocabulary_product():
    pf, diagnostics = load_product(FULL_VOCABULARY)
    assert pf is not None, [d.message for d in diagnostics]
    missing = sorted(every_model_key() - keys_written(pf.product))
    assert missing == [], f"add these keys to {FULL_VOCABULARY.relative_to(FULL_VOCABULARY.parents[3])}: {missing}"


def test_the_full_vocabulary_product_builds_with_no_errors(cli, tmp_path, full_vocabulary_copy):
    result = cli("build", full_vocabulary_copy, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 0, result.output
    diagnostics = json.loads(result.stdout)
    assert [d for d in diagnostics if d["severity"] == "error" and "suppressed" not in d] == []
    # its waiver is used: the legacy camelCase field is waived, not reported
    waived = [d for d in diagnostics if "suppressed" in d]
    assert [(d["code"], d["path"]) for d in waived] == [("NAM001", "datasets.shipments.fields.trackingUrl")]
    assert (tmp_path / "out/logistics/shipments/v1/avro/shipments.avsc").is_file()
