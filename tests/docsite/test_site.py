"""`meshgen docs build`: the MkDocs project of a mesh, built by real MkDocs + Material with --strict."""

from __future__ import annotations

import hashlib
import json
import posixpath
import shutil
from importlib.util import find_spec
from pathlib import Path

from meshgen.mesh.links import product_page_path
from tests.docsite.conftest import built_site, meshgen, mkdocs_env, parse_page
from tests.support import SPECS, copy_source, need, tool_bin

EXAMPLE_ADDRESSES = sorted(
    f"data://{p.parent.parent.parent.name}/{p.parent.parent.name}/{p.parent.name}"
    for p in SPECS.rglob("dataproduct.yaml"))


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_project_needs_only_the_core_install_and_is_the_same_bytes_for_every_hash_seed(tmp_path):
    trees = []
    for seed in ("1", "2"):
        mesh = copy_source(SPECS, tmp_path / seed)
        done = meshgen("docs", "build", mesh, "--no-html", env={"PYTHONHASHSEED": seed, "MESHGEN_MKDOCS": ""})
        assert done.returncode == 0, done.stderr
        project = mesh / "build" / "mesh" / "docs"
        assert not (project / "site").exists()
        trees.append(_tree(project))
    assert trees[0] == trees[1]
    pages = {p for p in trees[0] if p.startswith("docs/products/") and p.endswith(".md")}
    assert pages == {f"docs/{product_page_path(a)}index.md" for a in EXAMPLE_ADDRESSES}
    # each picture is a file beside its page (meshgen's MkDocs hook inlines it); every example product has a neighbour
    domains = {a.split("/")[2] for a in EXAMPLE_ADDRESSES}
    assert {p for p in trees[0] if p.endswith(".svg")} == {
        "docs/lineage.svg", *(f"docs/domains/{d}/lineage.svg" for d in domains),
        *(f"docs/{product_page_path(a)}lineage.svg" for a in EXAMPLE_ADDRESSES)}
    assert {"mkdocs.yml", "meshgen_lineage_hook.py", "docs/index.md", "docs/rules/index.md",
            "docs/domains/checkout/index.md"} <= set(trees[0])


def test_without_mkdocs_docs_build_says_how_to_install_it_and_exits_2(tmp_path):
    need(find_spec("mkdocs") is None, "a test venv without mkdocs (it is a tool venv of its own)")
    mesh = copy_source(SPECS, tmp_path)
    done = meshgen("docs", "build", mesh, env={"MESHGEN_MKDOCS": ""})
    assert done.returncode == 2, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "pip install 'meshgen[docs]'" in said and "DOCS001" in said
    assert not (mesh / "build").exists()  # nothing was written
    wrong = meshgen("docs", "build", mesh, env={"MESHGEN_MKDOCS": str(tmp_path / "no-such-mkdocs")})
    assert wrong.returncode == 2 and "is not an executable" in wrong.stdout + wrong.stderr


def test_every_product_of_the_example_mesh_has_its_page_and_the_home_lists_them(example_site):
    site = example_site / "build" / "mesh" / "docs" / "site"
    home = parse_page(site / "index.html")
    links = {a.get("href") for tag, a in home.elements if tag == "a"}
    for address in EXAMPLE_ADDRESSES:
        assert (site / product_page_path(address) / "index.html").is_file(), address
        assert product_page_path(address) in links, address
    assert (site / "rules" / "index.html").is_file() and (site / "domains" / "checkout" / "index.html").is_file()


def test_search_finds_products_by_field_name_product_name_tag_and_owner(example_site):
    index = json.loads((example_site / "build" / "mesh" / "docs" / "site" / "search" / "search_index.json")
                       .read_text(encoding="utf-8"))

    def pages_matching(word: str) -> set[str]:
        found = set()
        for doc in index["docs"]:
            haystack = " ".join([doc["title"], doc["text"], *doc.get("tags", [])]).lower()
            if word.lower() in haystack:
                found.add(doc["location"].split("#")[0])
        return found

    orders = product_page_path("data://checkout/orders/v2")
    assert orders in pages_matching("sales_channel")  # a field name
    assert orders in pages_matching("Checkout Orders")  # the product's title
    assert orders in pages_matching("tier-1")  # a tag
    assert orders in pages_matching("checkout-team")  # the owner
    [entry] = [d for d in index["docs"] if d["location"] == orders]
    assert {"tier-1", "checkout-team"} <= set(entry["tags"])  # ranked highest by Material's search


def test_a_product_page_shows_schema_consumers_changelog_and_its_successor_both_ways(example_site):
    site = example_site / "build" / "mesh" / "docs" / "site"
    v1 = parse_page(site / product_page_path("data://checkout/orders/v1") / "index.html")
    v2 = parse_page(site / product_page_path("data://checkout/orders/v2") / "index.html")
    v1_text, v2_text = " ".join(v1.text), " ".join(v2.text)
    assert "Deprecated" in v1_text and "successor" in v1_text
    assert ("a", {"href": "../v2/"}) in v1.elements  # deprecated → successor
    assert "succeeds" in v2_text and ("a", {"href": "../v1/"}) in v2.elements  # and back
    assert "items.sku" in v2_text and "customer_email" in v2_text and "PII, confidential (mask)" in v2_text
    assert "data://logistics/shipments/v1" in v2_text  # a consumer, from the resolved mesh
    assert "FIELD_REMOVED" in v2_text and "1.4.0 → 2.0.0" in v2_text  # the changelog from v1
    assert "Revenue per day and channel" in v2_text  # a sample query


def test_artifact_links_lead_to_the_build_outputs_files(example_site):
    out = example_site / "build" / "mesh"
    page_dir = out / "docs" / "site" / product_page_path("data://checkout/orders/v2")
    hrefs = [a["href"] for tag, a in parse_page(page_dir / "index.html").elements
             if tag == "a" and "/avro/" in a.get("href", "") or tag == "a" and "/sql/" in a.get("href", "")]
    assert hrefs
    for href in hrefs:
        target = Path(posixpath.normpath(page_dir / href))
        assert target.is_file() and out in target.parents, href


def test_docs_inside_the_output_survive_a_partial_build_and_are_in_its_manifest(example_site):
    out = example_site / "build" / "mesh"
    manifest = json.loads((out / "meshgen-manifest.json").read_text(encoding="utf-8"))
    assert "docs/site/index.html" in manifest["files"] and "docs-site@mesh" in manifest["units"]
    assert "avro@data://checkout/orders/v2" in manifest["units"]  # the build's units are kept
    done = meshgen("build", example_site / "checkout", "-q", env=mkdocs_env())
    assert done.returncode == 0, done.stderr
    assert (out / "docs" / "site" / "index.html").is_file()


def test_mkdocs_output_is_the_same_bytes_on_every_run(tmp_path, example_site):
    first = _tree(example_site / "build" / "mesh" / "docs")
    again = meshgen("docs", "build", example_site, "--strict", env={**mkdocs_env(), "PYTHONHASHSEED": "7"})
    assert again.returncode == 0, again.stderr
    assert _tree(example_site / "build" / "mesh" / "docs") == first


def test_the_full_vocabulary_product_builds_strict(full_vocabulary_site):
    site = full_vocabulary_site / "build" / "docs" / "site"
    pages = list((site / "products").rglob("index.html"))
    assert len(pages) == 1
    text = " ".join(parse_page(pages[0]).text)
    for expected in ("freshness", "Quality checks", "Sample queries", "Output ports", "Governance waivers"):
        assert expected in text


def test_the_project_also_builds_with_backstage_techdocs_core(tmp_path):
    """TechDocs' generator adds the techdocs-core plugin to a project's mkdocs.yml; with it the
    generated project still builds with --strict."""
    techdocs = tool_bin("techdocs", "mkdocs")
    mesh = copy_source(SPECS, tmp_path)
    done = meshgen("docs", "build", mesh, "--no-html", "-o", tmp_path / "project")
    assert done.returncode == 0, done.stderr
    project = tmp_path / "project"
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config.replace("plugins:\n  - search\n", "plugins:\n  - techdocs-core\n"),
                                        encoding="utf-8")
    import subprocess

    built = subprocess.run([str(techdocs), "build", "--strict", "-f", str(project / "mkdocs.yml")],
                           capture_output=True, text=True, env={"PATH": str(techdocs.parent), "HOME": str(tmp_path),
                                                                "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stderr
    assert (project / "site" / product_page_path("data://checkout/orders/v2") / "index.html").is_file()


def test_docs_build_refuses_a_folder_it_did_not_write(tmp_path):
    mesh = copy_source(SPECS, tmp_path / "m")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep\n", encoding="utf-8")
    done = meshgen("docs", "build", mesh, "--no-html", "-o", mine)
    assert done.returncode == 2 and "OUT001" in done.stdout + done.stderr
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep\n"
    shutil.rmtree(mine)


def test_the_readme_docs_commands_work_as_written(tmp_path):
    """Replays the README's docs-site block: `meshgen build specs`, then `meshgen docs build specs`."""
    import re

    from tests.support import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## The docs site"):]
    commands = [c for c in re.findall(r"^    (meshgen [^#\n]*?)\s*(?:#.*)?$", block, re.M)]
    assert commands[:3] == ["meshgen build specs", "meshgen docs build specs", "meshgen docs serve specs"]
    shutil.copytree(SPECS, tmp_path / "specs", ignore=shutil.ignore_patterns("build"))
    for command in commands[:2]:
        done = meshgen(*command.split()[1:], env=mkdocs_env(), cwd=tmp_path)
        assert done.returncode == 0, (command, done.stdout + done.stderr)
    assert (tmp_path / "specs" / "build" / "mesh" / "docs" / "site" / "index.html").is_file()


def test_a_site_built_by_several_mkdocs_processes_is_the_same_bytes_as_one_build(tmp_path):
    """A big site is built by a few `mkdocs build` processes at once, each on a run of the pages,
    and merged (docsite/mkdocs_parts.py): the same files and bytes as one process, the search index
    and the sitemap (site_url set, so it lists every page) included."""
    from meshgen.docsite import mkdocs_parts

    mesh = copy_source(SPECS, tmp_path / "mesh")
    config = mesh / "meshgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://data.example.com/mesh/\n",
                      encoding="utf-8")
    trees = {}
    for parts in ("1", "3"):
        out = tmp_path / f"docs-{parts}"
        done = meshgen("docs", "build", mesh, "--strict", "-o", out,
                       env={**mkdocs_env(), mkdocs_parts.PARTS_VARIABLE: parts})
        assert done.returncode == 0, done.stdout + done.stderr
        assert "WARNING" not in done.stderr, done.stderr
        trees[parts] = _tree(out / "site")
        assert not [p for p in out.iterdir() if p.name.startswith(".meshgen")]  # no part config or site left
    pages = mkdocs_parts.page_order(tmp_path / "docs-1" / "docs")
    split = mkdocs_parts.split_pages(pages, [(tmp_path / "docs-1" / "docs" / p).stat().st_size for p in pages], 3)
    assert len(split) == 3 and sorted(p for part in split for p in part) == sorted(pages)  # really three parts
    assert trees["3"] == trees["1"]
    index = json.loads((tmp_path / "docs-3" / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    indexed = {d["location"].split("#")[0] for d in index["docs"]}
    assert {posixpath.dirname(p) + "/" if p != "index.md" else "" for p in pages} <= indexed
    sitemap = (tmp_path / "docs-3" / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<loc>") == len(pages)


def test_each_part_excludes_the_other_parts_pages_by_folder_where_it_can():
    from meshgen.docsite.mkdocs_parts import exclusions, split_pages

    pages = ["index.md", "domains/a/index.md", "domains/b/index.md", "products/a/x/v1/index.md",
             "products/a/x/v2/index.md", "products/a/y/v1/index.md", "products/b/z/v1/index.md", "rules/index.md"]
    first, second = split_pages(pages, [110, 10, 10, 30, 30, 30, 30, 10], 2)
    assert first == pages[:3] and second == pages[3:]
    assert exclusions(pages, set(first)) == ["/products/", "/rules/"]
    assert exclusions(pages, set(second)) == ["/index.md", "/domains/"]
    assert exclusions(pages, {"products/a/x/v2/index.md"}) == [
        "/index.md", "/domains/", "/products/a/x/v1/", "/products/a/y/", "/products/b/", "/rules/"]
