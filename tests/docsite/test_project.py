"""The MkDocs project as meshgen writes it (no MkDocs needed): mkdocs.yml, overrides, errors."""

from __future__ import annotations

from ruamel.yaml import YAML

from meshgen import api
from tests.docsite.conftest import meshgen
from tests.support import SPECS, copy_source


def _project(tmp_path, mesh=None, *extra: str):
    mesh = mesh or copy_source(SPECS, tmp_path)
    done = meshgen("docs", "build", mesh, "--no-html", "-o", tmp_path / "project", *extra)
    return mesh, done, tmp_path / "project"


def test_site_url_of_meshgen_yaml_becomes_the_site_url_of_mkdocs_yml(tmp_path):
    mesh = copy_source(SPECS, tmp_path)
    config = mesh / "meshgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://data.example.com/mesh/\n",
                      encoding="utf-8")
    _, done, project = _project(tmp_path, mesh)
    assert done.returncode == 0, done.stdout + done.stderr
    written = YAML(typ="safe").load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    assert written["site_url"] == "https://data.example.com/mesh/"
    assert written["theme"]["font"] is False  # no web fonts from a CDN
    # the navigation lists domains (every page carries it: a product per entry grows with the square)
    nav_pages = {page for entry in written["nav"][1]["Domains"] for page in entry.values()}
    assert nav_pages == {f"domains/{d}/index.md" for d in ("checkout", "inventory", "logistics", "marketing",
                                                           "payments", "users")}
    assert written["not_in_nav"] == "/products/"  # product pages: reached from their domain's page
    domain_page = (project / "docs" / "domains" / "checkout" / "index.md").read_text(encoding="utf-8")
    assert "(../../products/checkout/orders/v2/index.md)" in domain_page


def test_a_template_override_replaces_a_page_and_what_it_prints_is_still_escaped(tmp_path):
    mesh = copy_source(SPECS, tmp_path)
    (mesh / "meshgen.yaml").write_text((mesh / "meshgen.yaml").read_text(encoding="utf-8") + "templates: overrides\n",
                                       encoding="utf-8")
    (mesh / "overrides" / "docsite").mkdir(parents=True)
    (mesh / "overrides" / "docsite" / "product.md.j2").write_text(
        "# {{ product.title }}\n\nOverridden: {{ product.address }} {{ '<b>x</b>' }}\n", encoding="utf-8")
    _, done, project = _project(tmp_path, mesh)
    assert done.returncode == 0, done.stdout + done.stderr
    page = (project / "docs" / "products" / "checkout" / "orders" / "v2" / "index.md").read_text(encoding="utf-8")
    assert "Overridden: data&#58;&#47;&#47;checkout&#47;orders&#47;v2 &#60;b&#62;x&#60;&#47;b&#62;" in page
    assert "<b>" not in page


def test_a_broken_override_is_a_positioned_template_error(tmp_path):
    mesh = copy_source(SPECS, tmp_path)
    (mesh / "meshgen.yaml").write_text((mesh / "meshgen.yaml").read_text(encoding="utf-8") + "templates: overrides\n",
                                       encoding="utf-8")
    (mesh / "overrides" / "docsite").mkdir(parents=True)
    (mesh / "overrides" / "docsite" / "home.md.j2").write_text("# {{ no_such_value }}\n", encoding="utf-8")
    _, done, project = _project(tmp_path, mesh)
    assert done.returncode == 2 and "TPL002" in done.stdout + done.stderr
    assert "home.md.j2:1" in done.stdout + done.stderr
    assert not project.exists()


def test_a_mesh_with_errors_gets_no_docs(tmp_path):
    mesh = copy_source(SPECS, tmp_path)
    spec = mesh / "checkout" / "orders" / "v2" / "dataproduct.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("dataset: orders\n", "dataset: no_such\n", 1),
                    encoding="utf-8")
    _, done, project = _project(tmp_path, mesh)
    assert done.returncode == 1 and "REF" in done.stdout
    assert not project.exists()


def test_the_api_writes_the_project_without_mkdocs(tmp_path, monkeypatch):
    monkeypatch.setenv("MESHGEN_MKDOCS", "")
    mesh = copy_source(SPECS, tmp_path)
    result = api.docs_build(mesh, html=False)
    assert result.site is None and (result.project / "mkdocs.yml").is_file()
    assert result.project == mesh / "build" / "mesh" / "docs"
    assert result.files > 10


def test_a_domain_named_docs_is_refused_inside_the_output_folder_and_fine_with_o(tmp_path):
    """A build writes the domain `docs` to <output>/docs/, the docs project's folder."""
    mesh = copy_source(SPECS, tmp_path)
    source = mesh / "users" / "customers" / "v1" / "dataproduct.yaml"
    clashing = mesh / "docs" / "guide" / "v1" / "dataproduct.yaml"
    clashing.parent.mkdir(parents=True)
    clashing.write_text(source.read_text(encoding="utf-8").replace("\ndomain: users\n", "\ndomain: docs\n", 1)
                        .replace("\nname: customers\n", "\nname: guide\n", 1), encoding="utf-8")
    done = meshgen("docs", "build", mesh, "--no-html")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "docs/guide/v1/dataproduct.yaml:4:9: error[DOCS003]" in done.stdout and "-o DIR" in done.stdout
    assert not (mesh / "build").exists()
    _, done, project = _project(tmp_path, mesh)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "docs" / "domains" / "docs" / "index.md").is_file()


def test_past_the_home_pages_limit_the_domain_pages_list_the_products(tmp_path, monkeypatch):
    from meshgen.docsite import pages
    from meshgen.docsite.project import project_files
    from meshgen.mesh.loader import load_mesh

    mesh, _ = load_mesh(copy_source(SPECS, tmp_path))
    listed = project_files(mesh)["docs/index.md"]
    assert "| product | title |" in listed and "(products/checkout/orders/v2/index.md)" in listed
    monkeypatch.setattr(pages, "HOME_LISTS_UP_TO", 3)  # the example mesh has more product versions
    files = project_files(mesh)
    home = files["docs/index.md"]
    assert "| product | title |" not in home and "(products/" not in home
    assert "The domain pages list the" in home and "(domains/checkout/index.md)" in home
    assert "(../../products/checkout/orders/v2/index.md)" in files["docs/domains/checkout/index.md"]
