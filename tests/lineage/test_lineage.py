"""Issue 13 (lineage): the mesh drawn as products grouped by domain, input ports as edges
labelled with the fields read, as SVG (Graphviz's dot, or grandalf without it), DOT, Mermaid
and JSON; hostile names escaped in every format; cycles drawn; the same bytes every run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from meshgen.lineage import Lineage, page_svg, page_svgs, render
from meshgen.mesh.loader import load_mesh
from tests.conftest import SPECS, need_executable, need_module

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
SPEC_ADDRESSES = sorted(
    f"data://{p.parts[-4]}/{p.parts[-3]}/{p.parts[-2]}" for p in SPECS.glob("*/*/v*/dataproduct.yaml"))

PRODUCT = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: {domain}
name: {name}
version: 1.0.0
title: {title}
description: {{purpose: {purpose}}}
owner: {{team: team-{n}, email: team{n}@example.com}}
datasets:
  - name: things
    description: One row per thing.
    fields:
      - {{name: id, type: string, required: true, description: Identifier.}}
      - {{name: amount, type: int, description: An amount.}}
inputPorts: [{ports}]
"""

HOSTILE_TITLE = '</title><script>alert("x")</script> & \\N \\" <b>'


def write_mesh(root: Path, products: list[tuple[str, str, str, list[str]]]) -> Path:
    """products: (domain, name, title, addresses it reads); returns the mesh root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "meshgen.yaml").write_text("name: lineage-test\n")
    for n, (domain, name, title, reads) in enumerate(products):
        ports = ", ".join(f"{{name: in{i}, product: {json.dumps(r)}, dataset: things, fields: [id, amount]}}"
                          for i, r in enumerate(reads))
        path = root / domain / name / "v1" / "dataproduct.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(PRODUCT.format(domain=json.dumps(domain), name=json.dumps(name), title=json.dumps(title),
                                       purpose=json.dumps(f"Product {n}."), n=n, ports=ports), encoding="utf-8")
    return root


def rel(address: str) -> str:
    """A product page link relative to the site root."""
    return "products/" + address.removeprefix("data://") + "/"


def mesh_of(root: Path):
    mesh, diagnostics = load_mesh(root)
    assert not [d for d in diagnostics if d.severity.name == "ERROR" and d.code != "MESH006"], diagnostics
    return mesh


@pytest.fixture(params=["dot", "grandalf"])
def layout(request, monkeypatch):
    """Each SVG test runs with Graphviz's dot and with the pure-Python grandalf layout."""
    if request.param == "dot":
        need_executable("dot")
    else:
        need_module("grandalf")
    monkeypatch.setenv("MESHGEN_LINEAGE_LAYOUT", request.param)
    return request.param


def parse_svg(text: str) -> ET.Element:
    assert text.startswith("<svg "), text[:80]
    assert "\n\n" not in text and "<script" not in text.lower()
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg" and "meshgen-lineage-graph" in root.get("class")
    for element in root.iter():  # nothing outside the picture: no script, image, style sheet or foreign href
        assert element.tag.split("}")[1] not in ("script", "image", "foreignObject", "style", "use")
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, value)
            if name in ("href", XLINK):
                assert not re.match(r"^[a-z][a-z0-9+.-]*:", value), value
    return root


def node_links(root: ET.Element) -> dict[str, str]:
    """title of each node → the href of its link (dot nests the <a> inside the node's <g>, as we do)."""
    links = {}
    for g in root.iter(f"{SVG}g"):
        if "node" in (g.get("class") or "").split():
            title = g.find(f"{SVG}title").text
            anchor = next(g.iter(f"{SVG}a"), None)
            links[title] = None if anchor is None else (anchor.get("href") or anchor.get(XLINK))
    return links


def texts(root: ET.Element, kind: str) -> list[str]:
    """All the text inside the <g> elements of one class (node, edge, cluster), line by line."""
    out = []
    for g in root.iter(f"{SVG}g"):
        if kind in (g.get("class") or "").split():
            out += ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
            out += [span.text or "" for span in g.iter(f"{SVG}tspan")]
    return out


def test_the_mesh_picture_has_a_linked_node_per_product_and_edges_labelled_with_the_fields(layout):
    mesh = mesh_of(SPECS)
    svg = page_svg(mesh, "mesh", None, lambda a: "../" + a.removeprefix("data://") + "/")
    root = parse_svg(svg)
    links = node_links(root)
    assert sorted(links) == SPEC_ADDRESSES
    assert all(href == "../" + a.removeprefix("data://") + "/" for a, href in links.items())
    clusters = " ".join(texts(root, "cluster"))
    for domain in {a.split("/")[2] for a in SPEC_ADDRESSES}:
        assert domain in clusters
    edge_labels = " ".join(texts(root, "edge"))
    lineage = Lineage.of(mesh)
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]) == len(lineage.edges) == 6
    # data://users/customers/v1 → campaign_attribution reads these three fields
    assert "customers: customer_id, loyalty_tier, marketing_opt_in" in edge_labels


def test_a_product_picture_shows_its_neighbourhood_with_links_relative_to_its_page(layout):
    mesh = mesh_of(SPECS)
    page = "data://checkout/orders/v2"
    svg = page_svg(mesh, "product", page, lambda a: "../../../" + a.removeprefix("data://") + "/")
    links = node_links(parse_svg(svg))
    assert sorted(links) == ["data://checkout/orders/v2", "data://logistics/shipments/v1",
                             "data://marketing/campaign_attribution/v1", "data://payments/transactions/v2"]
    assert links["data://payments/transactions/v2"] == "../../../payments/transactions/v2/"
    # depth 2 reaches what reads the shipments too
    deeper = node_links(parse_svg(page_svg(mesh, "product", page, rel, depth=2)))
    assert "data://inventory/stock_levels/v1" in deeper and "data://inventory/stock_levels/v1" not in links


def test_many_pictures_in_one_layout_run_are_the_pictures_drawn_one_by_one(layout):
    mesh = mesh_of(SPECS)
    wanted = [("mesh", None, rel), ("domain", "checkout", rel)] + [("product", a, rel) for a in SPEC_ADDRESSES]
    together = page_svgs(mesh, wanted)
    assert together == [page_svg(mesh, *w) for w in wanted]
    assert len(set(together)) == len(together)


def hostile_mesh(root: Path) -> Path:
    return write_mesh(root, [
        ('q"&<d>', "n'#{}[]|%", HOSTILE_TITLE, []),
        ("plain", "reader", "line one\nline two", ['data://q"&<d>/n\'#{}[]|%/v1']),
    ])


def test_hostile_names_and_titles_are_shown_as_text_in_the_svg(layout, tmp_path):
    mesh = mesh_of(hostile_mesh(tmp_path))
    root = parse_svg(page_svg(mesh, "mesh", None, lambda a: "p/" + a.removeprefix("data://")))
    lines = texts(root, "node") + texts(root, "cluster")
    assert HOSTILE_TITLE in lines, lines  # one line, every character as written
    assert "line one line two" in lines  # a line break in a title does not start a new SVG line
    assert 'q"&<d>' in lines
    assert sorted(node_links(root)) == ['data://plain/reader/v1', 'data://q"&<d>/n\'#{}[]|%/v1']


def test_hostile_names_survive_the_dot_text_through_graphviz(tmp_path):
    dot = need_executable("dot")
    mesh = mesh_of(hostile_mesh(tmp_path))
    text = render(Lineage.of(mesh).mesh_view(), "dot", href=lambda n: "p/" + n.id)
    done = subprocess.run([dot, "-Tsvg"], input=text.encode(), capture_output=True, check=True)
    root = ET.fromstring(done.stdout)
    titles = ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]
    assert 'data://q"&<d>/n\'#{}[]|%/v1' in titles  # the node id, quoted and unquoted intact
    shown = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert HOSTILE_TITLE in shown, shown  # `\N` stays two characters, not Graphviz's node-name escape


def mermaid_labels(text: str) -> list[str]:
    return re.findall(r'"([^"]*)"', text)


def test_hostile_names_in_mermaid_are_entity_codes(tmp_path):
    mesh = mesh_of(hostile_mesh(tmp_path))
    text = render(Lineage.of(mesh).mesh_view(), "mermaid")
    # structure: a flowchart, subgraphs closed, every line one statement of the shapes we write
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    statement = re.compile(r'^\s*(subgraph d\d+ \["[^"]*"\]|end|n\d+\["[^"]*"\]|n\d+ -->\|"[^"]*"\| n\d+)$')
    assert all(statement.match(line) for line in lines[1:]), lines
    assert sum(line.strip().startswith("subgraph") for line in lines) == sum(line.strip() == "end" for line in lines)
    labels = mermaid_labels(text)
    for label in labels:  # what is left once entity codes are taken out: letters, digits and plain punctuation
        assert re.fullmatch(r"[A-Za-z0-9 .,:/+=()-]*", re.sub(r"#\d+;", "", label)), label
    decoded = [re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label) for label in labels]
    assert any(label.endswith(" · " + HOSTILE_TITLE) for label in decoded), decoded
    assert 'q"&<d>' in decoded


def test_the_json_has_every_node_edge_and_field_exactly(tmp_path):
    mesh = mesh_of(hostile_mesh(tmp_path))
    data = json.loads(render(Lineage.of(mesh).mesh_view(), "json"))
    assert [n["title"] for n in data["nodes"]] == ["line one\nline two", HOSTILE_TITLE]
    [edge] = data["edges"]
    assert edge["source"] == 'data://q"&<d>/n\'#{}[]|%/v1' and edge["target"] == "data://plain/reader/v1"
    assert edge["reads"] == [{"consumer": "data://plain/reader/v1", "dataset": "things", "fields": ["id", "amount"],
                              "port": "in0"}]


def cyclic_mesh(root: Path) -> Path:
    return write_mesh(root, [
        ("a", "alpha", "Alpha", ["data://b/beta/v1"]),
        ("b", "beta", "Beta", ["data://a/alpha/v1"]),
        ("c", "selfish", "Reads itself", ["data://c/selfish/v1"]),
        ("c", "tail", "Tail", ["data://a/alpha/v1", "data://c/selfish/v1"]),
    ])


def test_products_that_read_each_other_in_a_circle_are_still_drawn(layout, tmp_path, cli):
    root = cyclic_mesh(tmp_path)
    assert "MESH006" in cli("validate", root, "--format", "json").stdout  # the mesh reports the circle...
    mesh = mesh_of(root)
    svg = parse_svg(page_svg(mesh, "mesh", None, rel))  # ...and lineage draws it
    assert len(node_links(svg)) == 4
    edges = [g.find(f"{SVG}title").text for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"]
    assert len(edges) == 5
    assert any("selfish" in e.split("→")[0] and "selfish" in e.split("→")[-1] for e in edges) or \
        any(e.count("selfish") == 2 for e in edges)
    for fmt in ("svg", "dot", "mermaid", "json"):
        result = cli("lineage", root, "--format", fmt)
        assert result.exit_code == 0 and "alpha" in result.stdout, result.output


def test_a_large_mesh_is_drawn_by_domain_with_counted_edges(layout, tmp_path):
    products = []
    for d in range(4):
        for i in range(20):
            reads = [f"data://d{d}/p{i - 1}/v1"] if i else ([f"data://d{d - 1}/p0/v1"] if d else [])
            products.append((f"d{d}", f"p{i}", f"P {i}", reads + ([f"data://d0/p1/v1"] if d and i == 5 else [])))
    mesh = mesh_of(write_mesh(tmp_path, products))
    view = Lineage.of(mesh).mesh_view()
    assert view.kind == "domains" and [n.id for n in view.nodes] == ["domain:d0", "domain:d1", "domain:d2", "domain:d3"]
    counts = {(e.source, e.target): len(e.reads) for e in view.edges}
    assert counts == {("domain:d0", "domain:d1"): 2, ("domain:d0", "domain:d2"): 1, ("domain:d0", "domain:d3"): 1,
                      ("domain:d1", "domain:d2"): 1, ("domain:d2", "domain:d3"): 1}
    root = parse_svg(page_svg(mesh, "mesh", None, rel, domain_href=lambda d: f"domains/{d}/"))
    assert node_links(root) == {f"domain:d{d}": f"domains/d{d}/" for d in range(4)}
    assert "2 input ports" in texts(root, "edge") and "20 products" in texts(root, "node")


def test_the_same_bytes_for_every_hash_seed(tmp_path):
    outputs = set()
    layouts = ["grandalf"] + (["dot"] if os.environ.get("CI") == "true" or need_dot_quietly() else [])
    for layout_name in layouts:
        for seed in ("0", "1", "4242"):
            env = {**os.environ, "PYTHONHASHSEED": seed, "MESHGEN_LINEAGE_LAYOUT": layout_name}
            done = subprocess.run([sys.executable, "-m", "meshgen", "lineage", str(SPECS), "--format", "svg"],
                                  env=env, capture_output=True, check=True)
            outputs.add((layout_name, done.stdout))
    assert len(outputs) == len(layouts), "a layout wrote different bytes for different hash seeds"


def need_dot_quietly() -> bool:
    import shutil

    return shutil.which("dot") is not None


def test_the_command_line(cli, tmp_path):
    out = tmp_path / "lineage.json"
    result = cli("lineage", SPECS, "--format", "json", "--domain", "checkout", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    data = json.loads(out.read_text())
    assert data["view"] == "domain" and "data://payments/transactions/v2" in [n["id"] for n in data["nodes"]]
    result = cli("lineage", SPECS, "--format", "mermaid", "--product", "data://checkout/orders/v2")
    assert result.exit_code == 0 and result.stdout.startswith("flowchart LR\n")
    result = cli("lineage", SPECS, "--product", "data://checkout/order/v2")
    assert result.exit_code == 2 and "did you mean 'data://checkout/orders/v2'" in result.output
    assert cli("lineage", SPECS, "--product", "data://checkout/orders/v2", "--domain", "checkout").exit_code == 2


def test_a_product_read_by_many_shows_its_readers_by_domain(layout, tmp_path):
    readers = [(f"r{k % 3}", f"reader{k}", f"Reader {k}", ["data://hub/popular/v1"]) for k in range(45)]
    mesh = mesh_of(write_mesh(tmp_path, [("hub", "popular", "Popular", []), *readers]))
    lineage = Lineage.of(mesh)
    view = lineage.product_view("data://hub/popular/v1")
    assert sorted(n.id for n in view.nodes) == ["data://hub/popular/v1", "domain:r0:consumers", "domain:r1:consumers",
                                                "domain:r2:consumers"]
    assert {e.target: len(e.reads) for e in view.edges} == {f"domain:r{d}:consumers": 15 for d in range(3)}
    root = parse_svg(page_svg(mesh, "product", "data://hub/popular/v1", rel, domain_href=lambda d: f"../{d}/"))
    assert node_links(root)["domain:r1:consumers"] == "../r1/"
    assert "15 input ports" in texts(root, "edge") and "15 products" in texts(root, "node")
    # a reader's own picture is drawn product by product
    assert sorted(node_links(parse_svg(page_svg(mesh, "product", "data://r0/reader0/v1", rel)))) == [
        "data://hub/popular/v1", "data://r0/reader0/v1"]


def test_every_picture_of_a_large_mesh_is_the_same_bytes_every_build(tmp_path, monkeypatch):
    """Each picture is laid out by a `dot` process of its own: when dot drew 64 graphs a process,
    25 of the 209 pictures of this 200-product synthetic mesh differed from one build to the next
    (Graphviz lays a graph out after the others of its process, and corrupts its heap after dozens)."""
    from meshgen.lineage import render_svgs
    from tests.benchmarks.test_harness import load_generator

    need_executable("dot")
    monkeypatch.setenv("MESHGEN_LINEAGE_LAYOUT", "dot")
    load_generator().make_mesh(tmp_path / "mesh", 200)
    lineage = Lineage.of(load_mesh(tmp_path / "mesh")[0])
    views = [lineage.product_view(address) for address in sorted(lineage.nodes)]
    views = [v for v in views if len(v.nodes) > 1]
    assert len(views) > 128
    first = render_svgs(views, [None] * len(views))
    assert render_svgs(views, [None] * len(views)) == first


def test_the_plugin_folders_of_killed_processes_are_removed_and_a_running_ones_kept(tmp_path, monkeypatch):
    import tempfile

    from meshgen.lineage import dot

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"meshgen-graphviz-{int(ended.stdout)}-abc"
    alive = tmp_path / f"meshgen-graphviz-{os.getpid()}-def"
    other = tmp_path / "meshgen-graphviz-notapid"
    for folder in (dead, alive, other):
        folder.mkdir()
        (folder / "config6").write_text("x")
    dot._remove_dead_folders()
    assert not dead.exists() and alive.exists() and other.exists()
