"""`meshgen init` with names nobody would type: every answer it accepts must give a product
that validates as written (README: "the scaffold validates and builds as written once it has a
real owner e-mail and purpose"), and every answer it refuses is a diagnostic (INIT001 at the
command line), never an exception. Names are drawn from the snake_case it accepts (reserved
words of SQL, Python, Protobuf and YAML 1.1, very long ones, `id`) and from hostile strings;
the folder is the mesh root, a domain's folder, a new nested folder or one with a hostile name.
In process, like test_every_command (the same judge: `run`)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, strategies as st

from tests.fuzz.test_every_command import HOSTILE, SETTINGS, run

# snake_case words that mean something to a target or a YAML reader
RESERVED = ["select", "table", "order", "from", "class", "def", "import", "none", "true", "false", "null", "yes",
            "no", "on", "off", "y", "n", "nan", "inf", "id", "message", "enum", "package", "option", "syntax",
            "string", "int", "type", "default", "schema", "record", "items", "v1", "x" * 64, "a" * 300, "a_",
            "a__b", "_a", "a1", "user"]
SNAKE = st.one_of(st.sampled_from(RESERVED), st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True))
TEAM = st.one_of(SNAKE, st.sampled_from(["team-a", "a-", "a--b", "x" * 200]))
EMAIL = st.sampled_from(["data@example.com", "a.b+c@sub.example.org", "x@y", "@example.com", "a@b@c.com",
                         "team@名前.jp", "a" * 300 + "@example.com", "data@example.com\n"])
PURPOSE = st.sampled_from(["Why it exists.", "TODO later", "it's: {{ quoted }}", "- a list?", "#", "a" * 5000]
                          + HOSTILE)
FOLDERS = [".", "{domain}", "new/nested", "a b", "名前", "..", "-rf", "--help"]


@SETTINGS
@given(domain=st.one_of(SNAKE, st.sampled_from(HOSTILE)), name=st.one_of(SNAKE, st.sampled_from(HOSTILE)),
       team=TEAM, dataset=st.one_of(st.none(), SNAKE), email=EMAIL, purpose=PURPOSE, folder=st.sampled_from(FOLDERS))
def test_init_writes_a_product_that_validates_or_refuses_the_answer(domain, name, team, dataset, email, purpose,
                                                                    folder, tmp_path_factory):
    mesh = tmp_path_factory.mktemp("init") / "mesh"
    mesh.mkdir()
    (mesh / "meshgen.yaml").write_text("name: fuzz\n", encoding="utf-8")
    # a folder named like the domain (no NUL: no command line can hold one)
    directory = mesh / folder.format(domain=domain.replace("/", "_").replace("\0", "") or "d")
    options = ["--domain", domain, "--name", name, "--owner-team", team, "--owner-email", email, "--purpose", purpose,
               *(["--dataset", dataset] if dataset is not None else []), "--no-input"]
    code, _ = run(["init", *options, "--", directory], json_format=False)
    written = sorted(mesh.parent.rglob("dataproduct.yaml"))  # ".." is outside the mesh
    if code:
        assert not written, f"init failed (exit {code}) and still wrote {written}"
        return
    assert len(written) == 1, written
    code, output = run(["validate", written[0], "--format", "json"], json_format=True)
    if code and (not purpose.strip() or purpose.strip().startswith("TODO")):  # the placeholder, as documented
        assert {d["code"] for d in json.loads(output) if d["severity"] == "error"} == {"DOC001"}, output[-3000:]
        return
    assert code == 0, f"init accepted {options} but its product does not validate:\n{output[-3000:]}"
    assert Path(written[0]).read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
