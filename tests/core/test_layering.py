"""The layering of src/meshgen: which package may import which (docs/architecture.md).

Read with `ast` from the source, so imports inside functions count too. A module may import
from its own layer and the layers below it, never from a layer above.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "meshgen"

# Lowest first. A module belongs to the layer of the longest prefix that names it.
LAYERS: list[tuple[str, ...]] = [
    ("meshgen.diagnostics", "meshgen.errors", "meshgen.clock", "meshgen.serializer", "meshgen.cron", "meshgen.forked"),
    ("meshgen.load", "meshgen.output", "meshgen.output_swap", "meshgen.render", "meshgen.signed_cache"),  # reading and writing files
    ("meshgen.model", "meshgen.dialects", "meshgen.naming"),                   # what a product means
    # model.reference documents both dataproduct.yaml and meshgen.yaml (mesh.config)
    ("meshgen.mesh", "meshgen.model.reference"),                               # the mesh, resolved
    ("meshgen.governance", "meshgen.contracts"),                               # checking passes
    ("meshgen.lineage",),                                                      # the mesh drawn as a graph
    # schemas: the builders the targets share (they read the product lock and name helpers of targets/)
    ("meshgen.targets", "meshgen.schemas", "meshgen.scaffolding"),                # artifacts
    ("meshgen.planner", "meshgen.incremental"),                                                      # the build's units
    ("meshgen.docsite",),                                                      # the docs site (MkDocs project)
    ("meshgen.importers",),                                                    # specs from ODCS, Avro, SQL
    # testing and publish talk to live systems (a warehouse, a catalog server) with a build's data
    ("meshgen.reporting", "meshgen.report", "meshgen.testing", "meshgen.publish"),  # findings as text; runs
    ("meshgen.api",),                                                          # every entry point
    ("meshgen.cli", "meshgen.__main__"),                                       # the command line
]


def layer_of(module: str) -> int:
    best, found = -1, None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    assert found is not None, f"{module}: give it a layer in tests/core/test_layering.py (and docs/architecture.md)"
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import of a meshgen module in `path`."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names if a.name.split(".")[0] == "meshgen"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] == "meshgen":
                out.append((node.lineno, base, [a.name for a in node.names]))
    return out


def _targets(module: str, names: list[str]) -> list[str]:
    """`from meshgen import api` imports the module meshgen.api; `from meshgen import __version__`
    reads the version, which every layer may."""
    if module != "meshgen":
        return [module]
    return [f"meshgen.{n}" for n in names if n != "__version__"]


def test_no_module_imports_from_a_layer_above_its_own():
    upward = []
    for path in sorted(SRC.rglob("*.py")):
        here = module_name(path)
        if here == "meshgen":
            continue  # the package re-exports the API (it defines __version__ first)
        for line, module, names in imports(path):
            for target in _targets(module, names):
                if layer_of(target) > layer_of(here):
                    upward.append(f"{path.relative_to(SRC.parent)}:{line}: {here} imports {target}")
    assert upward == []


def test_the_cli_imports_only_the_api():
    found = {target for _, module, names in imports(SRC / "cli.py") for target in _targets(module, names)}
    assert found == {"meshgen.api"}


def test_import_strings_obey_the_layers_too():
    """A registry's "module:attr" string (targets, governance rules) is an import the graph does
    not show: it may name only its own layer or a lower one (the old CHECK_PASSES strings loaded
    the contract pass, which imported the driver back)."""
    upward = []
    for path in sorted(SRC.rglob("*.py")):
        here = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and value.startswith("meshgen.") and ":" in value and " " not in value:
                if layer_of(value.partition(":")[0]) > layer_of(here):
                    upward.append(f"{path.relative_to(SRC.parent)}:{node.lineno}: {here} loads {value}")
    assert upward == []


def test_the_layering_test_sees_an_upward_import(tmp_path):
    """The checker itself: a function-level import of a higher layer is found."""
    sample = SRC / "model" / "models.py"
    assert layer_of("meshgen.model.models") < layer_of("meshgen.planner")
    tree_imports = imports(sample)
    assert all(layer_of(t) <= layer_of("meshgen.model.models") for _, m, n in tree_imports for t in _targets(m, n))
    fake = tmp_path / "x.py"
    fake.write_text("def f():\n    from meshgen.planner import plan_build\n")
    assert [m for _, m, _ in imports(fake)] == ["meshgen.planner"]
