"""Issue 14's fuzzing: every command on generated specs and on mutations of the example mesh.

Hypothesis writes a product two ways: generated from the spec's vocabulary (valid names and
types, random constraints and ports), or one of the example mesh's products mutated (a key
deleted, a value of the wrong type, a huge number, deep nesting, a hostile string, an anchor and
alias, a YAML 1.1-only form, a duplicate key). Each mesh runs in process through `validate`,
`build` (then `build --check`: nothing stale), `lineage` (Mermaid and JSON), `diff`, `changelog`,
`check --against HEAD`, `docs build` (MkDocs, `--strict`, when the mesh builds; else
`--no-html`), `test` on DuckDB
and `import` (of what the build wrote, and of the product itself as the wrong format). Every
command must succeed, and then its files pass their own validators (Avro parsers, the JSON
Schema metaschema, protoc, `buf lint`, DuckDB, the YAML and JSON parsers, `meshgen validate` of an imported
product), or exit 1 or 2 with an error diagnostic at a file, line and column. An exception, a
traceback or a command over MESHGEN_FUZZ_TIMEOUT seconds fails. CI runs a short run
(MESHGEN_FUZZ_EXAMPLES, default 4 of each kind; tests/fuzz/budget.py); the long one (docs/testing.md):

    MESHGEN_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/fuzz -q
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from meshgen.serializer import yaml_document
from tests.conftest import SPECS, need_module, npm_bin, tool_bin
from tests.fuzz.artifacts import check_artifacts

hypothesis = need_module("hypothesis")
need_module("duckdb")  # `meshgen test` runs on it
BUF = npm_bin("buf")
MKDOCS = tool_bin("mkdocs")  # `docs build` runs MkDocs (the mkdocs tool venv) on every mesh that builds
from hypothesis import given, strategies as st  # noqa: E402

from tests.fuzz.budget import TIMEOUT, fuzz_settings  # noqa: E402

# The mesh: a producer and its consumer from the example mesh (specs/); one of them is replaced.
PRODUCER = "payments/transactions/v2/dataproduct.yaml"
CONSUMER = "checkout/orders/v2/dataproduct.yaml"
GENERATED = "fuzz/generated/v1/dataproduct.yaml"
# validate runs every default target; build writes the targets whose files are checked here.
BUILD_TARGETS = ["avro", "jsonschema", "protobuf", "sql", "dbt", "odcs", "quality"]
POSITIONED = re.compile(r"^.+:\d+:\d+: error\[[A-Z]+[0-9]+\]", re.M)

HOSTILE = ["\0", "\x07\x0b\x0c", "line\u2028sep\u2029", "\u202e\u200b", "{{ 7*7 }}{% raw %}", "'; DROP TABLE x; --",
           "*/ /* \\ \" \n ::error::x", "x" * 5000, "\U0001f600", "<script>alert(1)</script>", "$(touch /tmp/pwned)",
           "", " ", "a" * 129, "über", "名前", "../../etc/passwd", "select", "class", "Note"]
# Raw YAML written in place of a value: forms only YAML 1.1 reads differently, tags, aliases, deep nesting
FRAGMENTS = ["yes", "no", "on", "off", "y", "~", "0o17", "010", "0x1F", "1_000", "12:30:00", "2001-12-14t21:59:43.10-05:00",
             ".NaN", "-.Inf", "1e400", "!!binary aGk=", "!!python/object/apply:os.system ['touch /tmp/pwned']",
             "!!set {a, b}", "{<<: {a: 1}}", "&anchor [1, 2]", "*anchor", "'\\x'", '"\\ud800"', "@at", "`tick`",
             "[" * 40 + "]" * 40, "{a: " * 40 + "1" + "}" * 40, "[" * 3000, "- - - x", "|\n  block", "\t"]
WRONG = [0, -1, 10 ** 400, -(10 ** 30), 2 ** 63, 1e308, 0.1, True, None, "", [], {}, ["x"], {"x": 1}]
TYPES = ["string", "int", "long", "float", "double", "decimal(12,2)", "decimal(38,0)", "boolean", "date", "time",
         "timestamp", "timestamp_ntz", "bytes", "uuid", "json", "array<string>", "map<long>", "array<map<double>>"]


def _paths(value, prefix=()):
    """Every path to a value inside the document (dict keys and list indexes)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, prefix + (i,))


def _parent(document, path):
    for key in path[:-1]:
        document = document[key]
    return document


def _drawn_place(draw, document) -> tuple | None:
    """(the container, the key or index) of a value drawn from anywhere in `document`; None when
    it holds nothing left to mutate."""
    paths = [p for p in _paths(document) if p]
    if not paths:
        return None
    path = draw(st.sampled_from(paths))
    return _parent(document, path), path[-1]


def mutate_document(draw, document, values: list) -> None:
    """One to three mutations of `document` in place: a key deleted, or a value replaced by one of `values`."""
    for _ in range(draw(st.integers(1, 3))):
        if (place := _drawn_place(draw, document)) is None:
            return
        parent, key = place
        if draw(st.booleans()):
            del parent[key]
        else:
            parent[key] = draw(st.sampled_from(values))


def mutated_text(draw, document) -> str:
    """`document` (plain data, changed in place) with one to three mutations, written as YAML."""
    fragments = {}
    for n in range(draw(st.integers(1, 3))):
        if (place := _drawn_place(draw, document)) is None:
            break
        parent, key = place
        kind = draw(st.sampled_from(["delete", "wrong", "hostile", "fragment", "fragment", "duplicate"]))
        if kind == "delete":
            del parent[key]
        elif kind == "wrong":
            parent[key] = draw(st.sampled_from(WRONG))
        elif kind == "hostile":
            parent[key] = draw(st.sampled_from(HOSTILE))
        else:
            marker = f"FUZZMARK{n}"  # a plain scalar in the document, replaced by raw YAML text
            parent[key] = marker
            fragments[marker] = draw(st.sampled_from(FRAGMENTS)) if kind == "fragment" else None
    text = yaml_document(document)
    for marker, fragment in fragments.items():
        if fragment is None:  # the key written twice: its line again, with another value
            # (a later mutation may have deleted or replaced the marked value)
            line = next((line for line in text.splitlines() if line.endswith(marker)), None)
            if line is not None:
                text = text.replace(line, line + "\n" + line.replace(marker, "other"), 1)
        else:
            text = text.replace(marker, fragment.replace("\n", "\n" + " " * 2), 1)
    return text


@st.composite
def mutated_products(draw):
    """(which product, its new text): an example product with one to three mutations."""
    from ruamel.yaml import YAML

    which = draw(st.sampled_from([PRODUCER, CONSUMER]))
    document = YAML(typ="safe", pure=True).load((SPECS / which).read_text(encoding="utf-8"))
    return which, mutated_text(draw, document)


@st.composite
def generated_products(draw):
    """(path, first text, edited text): a product written from the spec's vocabulary, mostly
    valid, and an edit of it (fields dropped or retyped, another version) for diff and check."""
    names = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True), min_size=1, max_size=8, unique=True))
    fields = [{"name": "id", "type": "long", "required": True, "description": "the key"}]
    fields += [generated_field(draw, f"f_{name}") for name in names]
    # a name each target turns into a class, a table, a message or a file (`none`: no Python class)
    dataset = draw(st.sampled_from(["things", "none", "true", "false", "class", "message", "things_v2", "x" * 128]))
    product = {
        "apiVersion": "meshgen/v1", "kind": "DataProduct", "domain": "fuzz", "name": "generated", "version": "1.0.0",
        "owner": {"team": "fuzz-team", "email": "fuzz@example.com"},
        "description": {"purpose": "Generated by the fuzz test."},
        "datasets": [{"name": dataset, "description": "one row per thing", "primaryKey": ["id"], "fields": fields,
                      **({"examples": [{"id": 1}]} if draw(st.booleans()) else {})}],
        "outputPorts": [{"name": "table", "type": "table", "dataset": dataset,
                         "platform": draw(st.sampled_from(["postgres", "duckdb", "snowflake", "bigquery"]))}],
    }
    edited = json.loads(json.dumps(product))
    edited["version"] = draw(st.sampled_from(["1.0.0", "1.1.0", "2.0.0", "1.0"]))
    kept = edited["datasets"][0]["fields"]
    edited["datasets"][0]["fields"] = kept[:1] + [f for f in kept[1:] if draw(st.booleans())]
    for f in edited["datasets"][0]["fields"][1:]:
        if draw(st.integers(0, 3)) == 0:
            f["type"] = draw(st.sampled_from(TYPES))
    return GENERATED, yaml_document(product), yaml_document(edited)


def generated_field(draw, name: str) -> dict:
    field = {"name": name, "type": draw(st.sampled_from(TYPES)),
             "description": draw(st.sampled_from(["a field", "it's: quoted", "x" * 300] + HOSTILE[:8]))}
    extra = draw(st.sampled_from(["", "required", "enum", "bounds", "pii", "default", "struct"]))
    if extra == "required":
        field["required"] = True
    elif extra == "enum":
        field.update(type="enum", symbols=draw(st.lists(st.from_regex(r"[A-Z][A-Z0-9_]{0,6}", fullmatch=True),
                                                        min_size=1, max_size=4, unique=True)))
    elif extra == "bounds":
        field.update(type="long", minimum=draw(st.integers(-10 ** 6, 0)), maximum=draw(st.integers(1, 10 ** 20)))
    elif extra == "pii":
        field.update(pii=True, classification=draw(st.sampled_from(["confidential", "restricted"])))
    elif extra == "default":
        field.update(type="string", maxLength=draw(st.integers(1, 20)), default=draw(st.sampled_from(["abc", "x" * 30])))
    elif extra == "struct":
        field.update(type="struct", fields=[{"name": "inner", "type": draw(st.sampled_from(TYPES))}])
    return field


class Hang(BaseException):
    """A command ran past MESHGEN_FUZZ_TIMEOUT (not an Exception: nothing in meshgen may catch it)."""


def _on_alarm(signum, frame):
    raise Hang(f"a command ran over {TIMEOUT:.0f} s")


def run(args: list, *, json_format: bool) -> tuple[int, str]:
    """One command in process; (exit code, output). Fails on an exception, a traceback or a hang;
    an exit of 1 or 2 must come with a positioned error diagnostic."""
    from meshgen.cli import cli

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    shown = f"meshgen {' '.join(map(str, args))}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        pytest.fail(f"{shown}: {''.join(traceback.format_exception(result.exception))[-3000:]}")
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), f"{shown}: exit {result.exit_code}\n{output[-2000:]}"
    assert "Traceback" not in output and "internal error" not in output, f"{shown}:\n{output[-2000:]}"
    if result.exit_code:
        if json_format:
            errors = [d for d in json.loads(result.stdout) if d["severity"] == "error"]
            assert errors, f"{shown}: exit {result.exit_code} without an error diagnostic:\n{output[-2000:]}"
            for d in errors:
                assert d["code"] and d["message"] and d["hint"], (shown, d)
                assert d["file"] and d["line"] >= 1 and d["column"] >= 1, (shown, d)
        else:
            assert POSITIONED.search(output), f"{shown}: exit {result.exit_code} unpositioned:\n{output[-2000:]}"
    return result.exit_code, result.stdout


def _mesh(root: Path, committed: dict[str, str], which: str, text: str) -> Path:
    """A mesh of `committed` (path → text), committed to git, then `which` written as `text`."""
    mesh = root / "mesh"
    for rel, content in committed.items():
        (mesh / rel).parent.mkdir(parents=True, exist_ok=True)
        (mesh / rel).write_text(content, encoding="utf-8")
    (mesh / "meshgen.yaml").write_text("name: fuzz\nproducts: ['**/dataproduct.yaml']\noutput: build\n", encoding="utf-8")
    git = ["git", "-C", str(mesh), "-c", "user.name=fuzz", "-c", "user.email=fuzz@example.com"]
    subprocess.run(["git", "init", "-q", str(mesh)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "before"], check=True)
    (mesh / which).parent.mkdir(parents=True, exist_ok=True)
    (mesh / which).write_bytes(text.encode("utf-8", "surrogatepass"))
    return mesh


def buf_lint(out: Path) -> None:
    """`buf lint` (the STANDARD rules each module's buf.yaml selects) in every protobuf module."""
    for module in sorted({p.parent for p in out.rglob("buf.yaml")}):
        done = subprocess.run([str(BUF), "lint"], cwd=module, capture_output=True, text=True, timeout=TIMEOUT)
        assert done.returncode == 0, f"buf lint in {module}:\n{done.stdout}{done.stderr}"


def every_command(root: Path, committed: dict[str, str], which: str, text: str) -> None:
    """Every command on the mesh where `which` changed from its committed text to `text`."""
    mesh = _mesh(root, committed, which, text)
    product, out = mesh / which, root / "out"
    original = root / "original.yaml"
    original.write_text(committed[which], encoding="utf-8")
    run(["validate", mesh, "--format", "json"], json_format=True)
    targets = [arg for t in BUILD_TARGETS for arg in ("-t", t)]
    code, _ = run(["build", mesh, "-o", out, *targets, "--format", "json"], json_format=True)
    if code == 0:
        check_artifacts(out)
        buf_lint(out)
        again, output = run(["build", mesh, "-o", out, *targets, "--check", "--format", "json"], json_format=False)
        assert again == 0, f"build --check right after the build found stale files:\n{output[-2000:]}"
    for view in ("mermaid", "json"):  # the lineage graph of any mesh that loads
        drawn = root / f"lineage.{view}"
        if run(["lineage", mesh, "--format", view, "-o", drawn], json_format=False)[0] == 0 and view == "json":
            json.loads(drawn.read_text(encoding="utf-8"))
    run(["diff", original, product, "--format", "json"], json_format=True)
    run(["changelog", original, product, "--format", "json"], json_format=False)
    run(["check", mesh, "--against", "HEAD", "--format", "json"], json_format=True)
    # The site with MkDocs (--strict: a broken link or a page left out is an error) once the mesh builds.
    docs = ["docs", "build", mesh, "-o", root / "docs", "--format", "json"]
    docs_code, _ = run(docs + (["--strict"] if code == 0 else ["--no-html"]), json_format=True)
    if code == 0:
        assert docs_code == 0 and (root / "docs" / "site" / "index.html").is_file(), "the site of a mesh that builds"
    run(["test", mesh, "--connection", f"duckdb:///{root / 'fuzz.duckdb'}", "--create"], json_format=False)
    run(["import", "odcs", product, "--format", "json"], json_format=True)  # a product file is no ODCS contract
    if code == 0:
        for source_format, pattern in (("avro", "*.avsc"), ("odcs", "*.odcs.yaml"), ("sql", "sql/duckdb/*.sql")):
            for source in sorted(out.glob(f"**/{pattern}"))[:1]:
                imported = root / f"imported-{source_format}" / "dataproduct.yaml"
                imported.parent.mkdir()
                if run(["import", source_format, source, "-o", imported, "--format", "json"], json_format=True)[0] == 0:
                    run(["validate", imported, "--format", "json"], json_format=True)


SETTINGS = fuzz_settings(4)  # 4 examples of each kind in CI


@SETTINGS
@given(case=mutated_products())
def test_every_command_on_mutations_of_the_example_mesh(case, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("MESHGEN_TODAY", "2026-12-02")  # the example's deprecation dates judged on one day
    monkeypatch.setenv("MESHGEN_MKDOCS", str(MKDOCS))
    example = {rel: (SPECS / rel).read_text(encoding="utf-8") for rel in (PRODUCER, CONSUMER)}
    every_command(tmp_path_factory.mktemp("mutated"), example, *case)
    assert not Path("/tmp/pwned").exists()


@SETTINGS
@given(case=generated_products())
def test_every_command_on_generated_specs(case, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("MESHGEN_TODAY", "2026-12-02")
    monkeypatch.setenv("MESHGEN_MKDOCS", str(MKDOCS))
    which, first, edited = case
    every_command(tmp_path_factory.mktemp("generated"), {which: first}, which, edited)
