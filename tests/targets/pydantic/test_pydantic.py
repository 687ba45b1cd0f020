"""The pydantic target: golden files (datamodel-code-generator pinned in the test extra), and
every generated module imported from a temporary folder, validating each dataset's examples and
rejecting the mutated examples meshgen rejects."""

from __future__ import annotations

import importlib.util
import inspect
import sys

import pytest
from pydantic import BaseModel, ValidationError

from meshgen.api import build
from meshgen.errors import ViolationsFound
from tests.conftest import need_module
from tests.support.golden import golden_cases
from tests.targets.jsonschema.meshes import (
    SOURCES,
    build_case,
    build_source,
    build_and_check_golden,
)
from tests.targets.jsonschema.mutations import mutated_examples


@pytest.fixture(autouse=True)
def _generator():
    need_module("datamodel_code_generator")


@pytest.mark.parametrize("case", golden_cases("pydantic"))
def test_golden(case, tmp_path):
    build_and_check_golden(["pydantic"], case, tmp_path)


@pytest.fixture(scope="module", params=SOURCES)
def built(request, tmp_path_factory):
    need_module("datamodel_code_generator")
    return build_source(request.param, tmp_path_factory.mktemp(request.param), ["pydantic"])


def _model(path, ds_title: str) -> type[BaseModel]:
    spec = importlib.util.spec_from_file_location(f"generated_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would: pydantic resolves the annotations there
    spec.loader.exec_module(module)
    models = {n: c for n, c in inspect.getmembers(module, inspect.isclass)
              if issubclass(c, BaseModel) and c.__module__ == module.__name__}
    return models[ds_title]


def _models(built):
    from meshgen.targets.base import pascal_case

    for pf in built.result.mesh.products:
        for ds in pf.product.datasets:
            path = built.product_out(pf) / f"pydantic/{ds.name}.py"
            yield ds, _model(path, pascal_case(ds.name))


def test_models_import_and_validate_the_examples(built):
    count = 0
    for ds, model in _models(built):
        for row in ds.examples:
            model.model_validate(row)
            count += 1
    assert count > 0


def test_models_reject_mutated_examples(built):
    checked = 0
    for ds, model in _models(built):
        for what, row in mutated_examples(ds):
            with pytest.raises(ValidationError):
                model.model_validate(row)
            checked += 1
    assert checked > 0


def _without_generator(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_generator(name, *args, **kwargs):
        if name.startswith("datamodel_code_generator"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_generator)


def test_a_shape_left_to_the_generator_without_the_extra_is_an_error(tmp_path, monkeypatch):
    built = build_case("hostile", tmp_path / "a", ["jsonschema"])  # names pydantic_source leaves to it
    _without_generator(monkeypatch)
    with pytest.raises(ViolationsFound) as caught:
        build(built.mesh, output=tmp_path / "out", targets=["pydantic"])
    (problem,) = [d for d in caught.value.diagnostics if d.severity.label == "error"]
    assert problem.code == "PYDANTIC001" and "meshgen[pydantic-models]" in problem.hint


def test_models_written_directly_need_no_generator(tmp_path, monkeypatch):
    """every_type (every type, nested objects, enums in arrays) is written by pydantic_source:
    the same golden bytes without datamodel-code-generator."""
    _without_generator(monkeypatch)
    build_and_check_golden(["pydantic"], "every_type", tmp_path)


def test_a_dataset_named_as_a_python_keyword_gets_a_model_class(tmp_path):
    """A dataset `none` (its title `None`, no class name) made datamodel-code-generator raise
    InvalidClassNameError: exit 3 (found by the init fuzz test). Its class is `NoneModel`."""
    product = tmp_path / "mesh" / "sales" / "leads" / "v1" / "dataproduct.yaml"
    product.parent.mkdir(parents=True)
    (tmp_path / "mesh" / "meshgen.yaml").write_text("name: m\n", encoding="utf-8")
    product.write_text(
        "apiVersion: meshgen/v1\nkind: DataProduct\ndomain: sales\nname: leads\nversion: 1.0.0\n"
        "owner: {team: t, email: t@example.com}\ndescription: {purpose: Why.}\n"
        "datasets:\n  - name: none\n    description: one row per thing\n    primaryKey: [id]\n    fields:\n"
        "      - {name: id, type: long, required: true, description: the key}\n"
        "      - {name: none, type: struct, description: a struct, fields: [{name: x, type: int}]}\n",
        encoding="utf-8")
    build(tmp_path / "mesh", output=tmp_path / "out", targets=["pydantic"])
    model = _model(tmp_path / "out" / "sales" / "leads" / "v1" / "pydantic" / "none.py", "NoneModel")
    assert model.model_validate({"id": 1, "none": {"x": 2}}).id == 1
    with pytest.raises(ValidationError):
        model.model_validate({"id": 1, "none": {"x": "two"}})
