"""The files of a mesh around its products, fuzzed: `meshgen.yaml`, a domain policy
(`<domain>/governance.yaml`), a template override and another repository's index. Each starts
from a valid file (the example mesh's settings, a policy that tightens, a built-in template, the
index `meshgen build` publishes for the example mesh) and gets the mutations of
test_every_command (a key deleted, a wrong type, a hostile string, raw YAML, a duplicate key) or,
for a template, hostile Jinja (sandbox escapes, endless loops and recursion, huge output, includes
of files outside, self-extension). The mesh then runs through `validate`, `build` and `rules` as
subprocesses under test_hostile_meshes' timeout and memory limit (a template may ask for 10 GB)
and with its judge: a result, or exit 1 or 2 with a positioned error; a build that succeeds
writes files their validators accept (tests/fuzz/artifacts.py) unless a template override wrote
them (then the mesh's own template decides the bytes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from meshgen.serializer import yaml_document
from tests.conftest import SPECS
from tests.fuzz.artifacts import check_artifacts
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.test_every_command import CONSUMER, HOSTILE, PRODUCER, WRONG, mutate_document, mutated_text
from tests.fuzz.test_hostile_meshes import materialize, run_meshgen

BUILD_TARGETS = ["avro", "jsonschema", "protobuf", "sql"]
CONFIG = {
    "name": "fuzz", "products": ["**/dataproduct.yaml"], "exclude": ["tmp/**"], "output": "build",
    "targets": ["avro", "jsonschema", "protobuf", "sql", "odcs", "quality"], "strict": False,
    "diagnostics": {"SQL006": "off", "PROTO": "warning"},
    "governance": {"rules": {"naming": "warning", "NAM002": "error",
                             "naming.case": {"severity": "error", "options": {"field": {"case": "snake", "maxLength": 40}}},
                             "SLO001": {"options": {"always": ["freshness"], "byTag": {"tier-1": ["freshness"]}}}},
                   "waivers": {"maxDuration": "365d", "requireExpiry": True}},
    "contracts": {"pastDeprecation": "warning", "ignore": ["metadata"]},
    "site_url": "https://data.example.com/mesh/",
}
POLICY = {"rules": {"DOC002": "error", "lifecycle": "error", "PII001": {"options": {"minimum": "restricted"}},
                    "NAM001": {"options": {"maxLength": 30}}},
          "waivers": {"maxDuration": "90d", "requireExpiry": True}}
TEMPLATES = ["avro/schema.avsc.j2", "jsonschema/schema.json.j2", "protobuf/message.proto.j2", "sql/table.sql.j2",
             "odcs/contract.odcs.yaml.j2", "quality/checks.sql.j2", "avro/schema.avro.j2", "init/dataproduct.yaml.j2"]
JINJA = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ lipsum.__globals__.os.system('touch /tmp/meshgen-fuzz-pwned') }}",
    "{{ cycler.__init__.__globals__ }}", "{{ self.__init__.__globals__ }}", "{{ [].append(1) }}",
    "{{ '{0.__class__}'.format(1) }}", "{% for i in range(10**9) %}x{% endfor %}", "{{ 'x' * 10**10 }}",
    "{{ 'x' * 10**7 }}", "{{ 9**9**9 }}", "{{ 10**5000 }}", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{% include '{name}' %}", "{% extends '{name}' %}", "{% include '/etc/passwd' %}",
    "{% include '../../../../../etc/passwd' %}", "{% import '{name}' as me %}", "{{ 1/0 }}", "{{ no_such_name }}",
    "{% if %}", "{{ x", "{% raw %}", "{{ schema }}", "{{ schema | tojson }}", "{{ schema.__dict__ }}",
    "{% set x = namespace(a=1) %}{% set x.a = x %}{{ x }}", "{{ range(10**6) | list | length }}",
    "{{ 'a' | truncate(10**9) }}", "{{ '%s' % (10**100000) }}", "\0", "",
]


def _load_yaml(text: str):
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


def _example(files: dict, *products: str) -> None:
    for rel in products:
        files[rel] = (SPECS / rel).read_text(encoding="utf-8")


def _hostile_template(draw, name: str) -> object:
    """Hostile Jinja alone, or spliced into the built-in template's source; or bytes that are not UTF-8."""
    if draw(st.integers(0, 9)) == 0:
        return b"\xff\xfe{{ \x00 }}\n"
    body = draw(st.sampled_from(JINJA)).replace("{name}", name)
    builtin = Path(__file__).resolve().parents[2] / "src" / "meshgen" / "templates" / name
    if not builtin.is_file() or draw(st.booleans()):
        return body
    text = builtin.read_text(encoding="utf-8")
    at = draw(st.integers(0, len(text)))
    return text[:at] + body + text[at:]


def _index_text(draw, index_text: str) -> str:
    document = json.loads(index_text)
    if draw(st.integers(0, 3)) == 0:  # a cut or a spliced fragment: JSON that does not parse, or YAML-ish
        at = draw(st.integers(0, len(index_text)))
        return index_text[:at] + draw(st.sampled_from(["", "{", "]", '"\\ud800"', "NaN", "1e400", ",,"]))
    mutate_document(draw, document, WRONG + HOSTILE)
    return json.dumps(document, ensure_ascii=draw(st.booleans()))


@st.composite
def mesh_files(draw, kind: str, index_text: str):
    """(files for test_hostile_meshes.materialize, the build's targets, whether the mesh's own template decides bytes)."""
    files: dict[str, object] = {}
    targets = list(BUILD_TARGETS)
    if kind == "config":
        _example(files, PRODUCER, CONSUMER)
        files["meshgen.yaml"] = mutated_text(draw, json.loads(json.dumps(CONFIG)))
    elif kind == "policy":
        _example(files, PRODUCER, CONSUMER)
        files["meshgen.yaml"] = yaml_document(CONFIG)
        domain = draw(st.sampled_from(["payments", "checkout"]))
        files[f"{domain}/governance.yaml"] = mutated_text(draw, json.loads(json.dumps(POLICY)))
    elif kind == "template":
        _example(files, PRODUCER, CONSUMER)
        name = draw(st.sampled_from(TEMPLATES))
        files["meshgen.yaml"] = yaml_document({**CONFIG, "templates": "templates"})
        files[f"templates/{name}"] = _hostile_template(draw, name)
        targets = [name.split("/")[0]] if name.split("/")[0] in CONFIG["targets"] else targets
    else:  # index: the consumer here, its producer in another repository's index
        _example(files, CONSUMER)
        entry = draw(st.sampled_from(["other/index.json", "file:///proc/self/environ", "other/missing.json",
                                      "other/fifo.json", "other/link.json"]))
        files["meshgen.yaml"] = yaml_document({**CONFIG, "indexes": [entry]})
        files["other/index.json"] = _index_text(draw, index_text)
        files["other/fifo.json"] = ("fifo",)
        files["other/link.json"] = ("symlink", "/proc/self/environ")
    return files, targets, kind == "template"


@pytest.fixture(scope="module")
def example_index(tmp_path_factory) -> str:
    """The index `meshgen build` publishes for the example mesh."""
    out = tmp_path_factory.mktemp("index") / "out"
    run_meshgen("build", str(SPECS), "-o", str(out), "-t", "avro", cwd=out.parent)
    return (out / "_mesh" / "index.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["config", "policy", "template", "index"])
def test_mesh_files_end_in_a_result_or_a_positioned_diagnostic(kind, example_index, tmp_path_factory):
    @fuzz_settings(1)  # one of each kind in CI (each example runs three commands as subprocesses)
    @given(case=mesh_files(kind, example_index))
    def check(case):
        files, targets, own_template = case
        root = tmp_path_factory.mktemp(kind) / "mesh"
        root.mkdir()
        materialize(root, files)
        out = root.parent / "out"
        run_meshgen("validate", ".", cwd=root)
        if run_meshgen("build", ".", "-o", str(out), *sum((["-t", t] for t in targets), []), cwd=root) == 0 \
                and not own_template:
            check_artifacts(out)
        run_meshgen("rules", ".", *(["--domain", "payments"] if kind == "policy" else []), cwd=root)
        assert not Path("/tmp/meshgen-fuzz-pwned").exists()
        shutil.rmtree(root.parent, ignore_errors=True)  # a long run would fill /tmp

    check()
