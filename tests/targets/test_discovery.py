"""The built-in targets are found by reading their modules' sources (targets.builtin_targets), so
no list is kept by hand. Here every module of the package is imported and the Target subclasses it
defines are compared with what the scan found: a declaration the scan misses or invents fails."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import meshgen.targets as targets
from meshgen.targets.base import Target


def _defined_targets() -> dict[str, str]:
    found = {}
    for module in pkgutil.iter_modules(targets.__path__):
        imported = importlib.import_module(f"{targets.__name__}.{module.name}")
        for cls_name, cls in vars(imported).items():
            if (inspect.isclass(cls) and issubclass(cls, Target) and cls is not Target
                    and cls.__module__ == imported.__name__):
                found[cls.name] = f"{imported.__name__}:{cls_name}"
    return found


def test_the_scan_finds_exactly_the_defined_targets():
    assert targets.builtin_targets() == dict(sorted(_defined_targets().items()))


def test_every_found_target_loads_under_its_name():
    for name in targets.builtin_targets():
        assert targets.load_target(name).name == name


def test_what_the_scan_reads():
    helper = 'class Helper:\n    name = "not-a-target"\n'
    assert list(targets._declared(helper + '\n\nclass Real(base.Target):\n    """Doc."""\n\n    name = "real"\n')) \
        == [("Real", "real")]
    assert list(targets._declared('class T(Target):\n    scope = "mesh"\n    name = "t-1"\n')) == [("T", "t-1")]
    assert list(targets._declared('class T(Target):\n    pass\nname = "outside"\n')) == []


def test_two_modules_declaring_one_name_are_refused(tmp_path, monkeypatch):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "avro_again.py").write_text(
        'from meshgen.targets.base import Target\n\n\nclass Again(Target):\n    name = "avro"\n', encoding="utf-8")
    monkeypatch.setattr(targets, "__path__", [*targets.__path__, str(extra)])
    targets.builtin_targets.cache_clear()
    try:
        try:
            targets.builtin_targets()
        except RuntimeError as err:
            assert "avro" in str(err) and "avro_again" in str(err)
        else:
            raise AssertionError("a second target named avro was accepted")
    finally:
        targets.builtin_targets.cache_clear()


def test_a_plugin_target_never_joins_the_built_in_ones(monkeypatch):
    """available_targets() adds the entry points' targets to a copy: the cached built-in dict
    stays the package's own (it used to gain every plugin, so a plugin became "built in")."""
    builtin = dict(targets.builtin_targets())
    monkeypatch.setattr(targets, "_registered_targets", lambda path: (("plugin-x", "plugin_pkg:PluginX"),))
    assert targets.available_targets()["plugin-x"] == "plugin_pkg:PluginX"
    assert "plugin-x" not in targets.builtin_targets()
    assert targets.builtin_targets() == builtin
