"""The Mermaid output read by Mermaid itself: mermaid.min.js (the npm package, installed by
scripts/setup-test-env.sh) parses and renders it in a real headless Chromium, offline. Every
label must come back as the exact text of the spec, whatever characters it holds."""

from __future__ import annotations

from meshgen.lineage import Lineage, render
from tests.conftest import SPECS
from tests.lineage.test_lineage import HOSTILE_TITLE, cyclic_mesh, hostile_mesh, mesh_of
from tests.support.browser import chromium
from tests.support.components import npm_file

RENDER = """async text => {
  mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
  await mermaid.parse(text);
  const {svg} = await mermaid.render("lineage", text);
  const holder = document.createElement("div");
  holder.innerHTML = svg;
  document.body.appendChild(holder);
  const texts = selector => Array.from(holder.querySelectorAll(selector)).map(e => e.textContent);
  return {nodes: texts(".node .nodeLabel"), edges: texts(".edgeLabel .edgeLabel, .edgeLabel p"),
          clusters: texts(".cluster-label"), scripts: holder.querySelectorAll("script").length};
}"""


def rendered(views: list[str]) -> list[dict]:
    script = npm_file("mermaid/dist/mermaid.min.js")
    out = []
    with chromium() as browser:
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.route("**/*", lambda route: route.abort())  # nothing is fetched: mermaid.min.js is added inline
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=script.read_text(encoding="utf-8"))
        for text in views:
            out.append(page.evaluate(RENDER, text))
        assert dialogs == []
    return out


def test_mermaid_parses_and_renders_every_view_with_the_labels_as_written(tmp_path):
    hostile = Lineage.of(mesh_of(hostile_mesh(tmp_path / "hostile")))
    cyclic = Lineage.of(mesh_of(cyclic_mesh(tmp_path / "cyclic")))
    specs = Lineage.of(mesh_of(SPECS))
    views = [hostile.mesh_view(), cyclic.mesh_view(), specs.mesh_view(), specs.domain_view("checkout"),
             specs.product_view("data://checkout/orders/v2", 2)]
    results = rendered([render(v, "mermaid") for v in views])
    for view, result in zip(views, results):
        assert result["scripts"] == 0
        assert sorted(result["nodes"]) == sorted(" · ".join(n.lines) for n in view.nodes), result
        assert sorted(set(result["clusters"])) == sorted({d for d, _ in view.clusters})
        # (Mermaid draws a self-loop as three edges, two of them with an empty label)
        assert set(result["edges"]) - {""} == {" / ".join(e.lines) for e in view.edges}, result
    hostile_result = results[0]
    assert any(label.endswith(HOSTILE_TITLE) for label in hostile_result["nodes"])  # shown, not run
    assert 'q"&<d>' in hostile_result["clusters"]
