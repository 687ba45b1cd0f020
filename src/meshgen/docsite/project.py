"""The MkDocs project of a mesh: `mkdocs.yml` (data, through meshgen.serializer) and the pages.

`project_files(mesh, ...)` returns every file of the project as {path: text}, paths relative to
the project folder (`mkdocs.yml`, `docs/index.md`, ...). It needs only the core install; the
HTML is MkDocs' job (docsite.mkdocs). The same mesh gives the same bytes on every run.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from meshgen.docsite import escape, mkdocs_hook, pages
from meshgen.docsite.pictures import DOCS_DIR, PictureDrawing
from meshgen.docsite.render import PageRenderer
from meshgen.model.models import dotted_fields
from meshgen.serializer import yaml_document

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh
    from meshgen.model.loader import ProductFile

SITE_DIR = "site"
CSS = "assets/meshgen.css"
HOOK_FILE = "meshgen_lineage_hook.py"  # docsite/mkdocs_hook.py, beside mkdocs.yml (outside docs/: not published)


def project_files(mesh: "Mesh", *, build_output: Path | None = None, project_in_output: str | None = None,
                  override_dir: Path | None = None) -> dict[str, str]:
    """The MkDocs project. `build_output`: the build output folder whose manifest lists each
    target's files; `project_in_output`: where the project sits inside it (e.g. `docs`), so the
    pages can link those files relatively (None: the files are named, not linked)."""
    project = Project.of(mesh, build_output=build_output, project_in_output=project_in_output,
                         override_dir=override_dir)
    return dict(sorted({**project.render_pages(), **project.fixed_files()}.items()))


@dataclass
class Project:
    """What every page of the project reads, computed once; `render_pages` renders all of them or
    a part (a forked worker renders its part of a big site: docsite/part_workers.py)."""

    mesh: "Mesh"
    products: list["ProductFile"]
    domains: list[str]
    site: pages.Site
    renderer: PageRenderer
    drawing: PictureDrawing
    when: Any
    _product_pages: dict[str, "ProductFile"] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, mesh: "Mesh", *, build_output: Path | None = None, project_in_output: str | None = None,
           override_dir: Path | None = None) -> "Project":
        from meshgen.clock import today

        products = sorted(mesh.by_address().values(), key=lambda pf: pf.product.address)
        domains = sorted({pf.product.domain for pf in products})
        drawing = PictureDrawing.of(mesh, [("mesh", None, pages.HOME)]
                                    + [("domain", d, pages.domain_page(d)) for d in domains]
                                    + [("product", pf.product.address, pages.product_page(pf.product.address))
                                       for pf in products])
        site = pages.Site(mesh, artifacts=_artifacts(build_output, project_in_output), pictures=drawing.markers)
        return cls(mesh, products, domains, site, PageRenderer(override_dir), drawing, today())

    def page_names(self) -> list[str]:
        """Every page, relative to docs/."""
        return [pages.HOME, pages.RULES, *map(pages.domain_page, self.domains),
                *(pages.product_page(pf.product.address) for pf in self.products)]

    def picture_files(self) -> list[str]:
        """The project files of the pictures the pages show (laid out by render_pages)."""
        return [self.drawing.picture_file(page) for page in self.drawing.drawn_pages]

    def render_pages(self, wanted: set[str] | None = None) -> dict[str, str]:
        """The pages in `wanted` (every page when None) and their pictures, as project files."""
        self.drawing.draw(wanted)  # laid out while the pages render
        site, renderer, files = self.site, self.renderer, {}
        chosen = (lambda page: True) if wanted is None else wanted.__contains__
        if chosen(pages.HOME):
            files[f"{DOCS_DIR}/{pages.HOME}"] = renderer.render("home.md.j2", **pages.home_context(site))
        if chosen(pages.RULES):
            files[f"{DOCS_DIR}/{pages.RULES}"] = renderer.render("rules.md.j2", **rules_context(site, self.when))
        for domain in self.domains:
            if chosen(page := pages.domain_page(domain)):
                files[f"{DOCS_DIR}/{page}"] = renderer.render("domain.md.j2", **pages.domain_context(site, domain))
        for pf in self.products:
            if chosen(page := pages.product_page(pf.product.address)):
                context = pages.product_context(site, pf, changelog_context(site, pf), self.when)
                files[f"{DOCS_DIR}/{page}"] = front_matter(pf) + renderer.render("product.md.j2", **context)
        self.drawing.finish(files)  # the pictures were laid out while the pages rendered
        return files

    def fixed_files(self) -> dict[str, str]:
        """The files that are not pages: mkdocs.yml, meshgen's hook, the style sheet."""
        return {"mkdocs.yml": yaml_document(mkdocs_config(self.mesh, self.products)),
                HOOK_FILE: Path(mkdocs_hook.__file__).read_text(encoding="utf-8"),
                f"{DOCS_DIR}/{CSS}": self.renderer.render("meshgen.css.j2")}

    def estimated_size(self, page: str) -> int:
        """About the bytes of a page's Markdown, before it is rendered (what MkDocs' time follows):
        a part of a big site is chosen by it (docsite/part_workers.py)."""
        if page == pages.HOME:
            return 1500 + 400 * len(self.products) * (len(self.products) <= pages.HOME_LISTS_UP_TO)
        if page.startswith("domains/"):
            return 1000 + 470 * sum(1 for pf in self.products if pages.domain_page(pf.product.domain) == page)
        if self._product_pages is None:
            self._product_pages = {pages.product_page(pf.product.address): pf for pf in self.products}
        pf = self._product_pages.get(page)
        if pf is None:
            return 2000
        resolved = self.mesh.resolved(pf)
        fields = sum(sum(1 for _ in dotted_fields(ds.fields)) + len(ds.quality) for ds in pf.product.datasets)
        return 2200 + 110 * fields + 450 * (len(resolved.inputs) + len(resolved.consumers))

def front_matter(pf: "ProductFile") -> str:
    """The page's metadata: its tags and owner, which Material's search ranks highest, and its
    title. The title must be given: a page outside the navigation is otherwise titled by its
    first heading's text, which the theme prints unescaped in <title>."""
    p = pf.product
    tags = sorted({nav_label(t) for t in p.tags} | {nav_label(p.owner.team)})
    return "---\n" + yaml_document({"tags": tags, "title": nav_label(f"{p.name} v{p.major}")}) + "---\n\n"


# ---- mkdocs.yml --------------------------------------------------------------------------------

def nav_label(value: str) -> str:
    """A title for MkDocs' navigation and the page <title>: the theme prints it as it is, so it
    keeps no character that HTML could read as markup."""
    return " ".join("".join(" " if ch in "<>&\"'`\\" or not ch.isprintable() else ch for ch in value).split()) \
        or "untitled"


def mkdocs_config(mesh: "Mesh", products: list["ProductFile"]) -> dict:
    """mkdocs.yml as data: Material theme, no web fonts or CDN, built-in search. The navigation
    lists the home, the domains and the rules; product pages are reached from their domain's page
    (and the home, search and the pictures) and are declared `not_in_nav`, so `--strict` stays
    clean. Every page carries the whole navigation: a product per entry would make the site grow
    with the square of the products (1,000 products: 334 MiB of HTML, most of it links)."""
    config = {"site_name": nav_label(mesh.name)}
    if mesh.config.site_url:
        config["site_url"] = mesh.config.site_url
    config.update({
        "docs_dir": DOCS_DIR,
        "site_dir": SITE_DIR,
        "use_directory_urls": True,
        "theme": {"name": "material", "font": False, "features": ["navigation.indexes", "search.highlight"]},
        "plugins": ["search"],
        "hooks": [HOOK_FILE],
        "markdown_extensions": ["tables", "admonition", {"toc": {"permalink": True}}],
        "extra_css": [CSS],
        "validation": {"omitted_files": "warn", "absolute_links": "warn", "unrecognized_links": "warn",
                       "anchors": "warn"},
        "nav": _nav(products),
        "not_in_nav": f"/{pages.PRODUCTS_DIR}/",
    })
    return config


def _nav(products: list["ProductFile"]) -> list:
    domains = sorted({pf.product.domain for pf in products})
    return [{"Home": pages.HOME},
            {"Domains": [{nav_label(d): pages.domain_page(d)} for d in domains]},
            {"Governance": pages.RULES}]


# ---- what the pages read besides the mesh -------------------------------------------------------

def changelog_context(site: pages.Site, pf: "ProductFile") -> list[dict]:
    """The changes from the previous major version in the mesh, as `meshgen changelog` classifies them."""
    from meshgen.contracts.changelog import changelog, classify
    from meshgen.contracts.changes import PROMISES

    versions = site.versions_of(pf.product.domain, pf.product.name)
    index = versions.index(pf) if pf in versions else 0
    if index == 0:
        return []
    previous = versions[index - 1]
    page = pages.product_page(pf.product.address)
    promised = PROMISES[previous.product.compatibility]
    changes = [{"class": classify(c, promised), "rule": c.rule.id, "message": c.message,
                "fix": c.fix if classify(c, promised) in ("breaking", "attention") else None}
               for c in changelog(previous, pf)]
    order = ("breaking", "attention", "additive", "info")
    return [{"previous": previous.product.version, "version": pf.product.version,
             "previous_link": site.product_link(page, previous.product.address),
             "compatibility": previous.product.compatibility,
             "changes": sorted(changes, key=lambda c: order.index(c["class"]))}]


def rules_context(site: pages.Site, today) -> dict:
    """The rules in force (mesh-wide and per domain that sets them otherwise) and the active waivers."""
    from meshgen.governance.engine import rules_in_force

    mesh = site.mesh
    base = rules_in_force(mesh.root)
    domains = sorted({pf.product.domain for pf in mesh.products})
    per_domain = {d: {r["code"]: r["severity"] for r in rules_in_force(mesh.root, d)} for d in domains}
    differing = [d for d in domains if any(per_domain[d][r["code"]] != r["severity"] for r in base)]
    waivers = []
    for pf in sorted(mesh.products, key=lambda pf: pf.product.address):
        for w in pf.product.governance.waivers:
            if w.expires is None or w.expires >= today:
                waivers.append({"product": site.product_link(pages.RULES, pf.product.address), "rule": w.rule,
                                "path": w.path, "reason": w.reason or "",
                                "expires": w.expires.isoformat() if w.expires else "never"})
    return {"mesh_name": mesh.name, "domains": differing, "today": today.isoformat(), "waivers": waivers,
            "rules": [{**r, "domains": [per_domain[d][r["code"]] for d in differing]} for r in base]}


def _artifacts(build_output: Path | None, project_in_output: str | None) -> dict[str, list[dict]]:
    """Address (or "mesh") → each target's files in the build output's manifest, linked relatively
    from the built page when the project sits inside the output folder."""
    from meshgen.output import read_manifest_units

    if build_output is None:
        return {}
    found: dict[str, list[dict]] = {}
    for key, unit in sorted(read_manifest_units(build_output).items()):
        target, files = unit.get("target"), unit.get("files")
        if not isinstance(target, str) or not isinstance(files, list) or target == DOCS_UNIT_TARGET:
            continue
        owner = unit.get("product") or "mesh"
        page = pages.HOME if owner == "mesh" else pages.product_page(owner)
        links = [_artifact_link(str(f), page, project_in_output) for f in sorted(files) if isinstance(f, str)]
        found.setdefault(owner, []).append({"target": target, "files": links})
    return found


DOCS_UNIT_TARGET = "docs-site"  # the docs project's own entry in the build output's manifest


def _artifact_link(path: str, page: str, project_in_output: str | None) -> Markup:
    name = path.split("/", 4)[-1] if path.count("/") >= 4 else path
    if project_in_output is None:
        return Markup(f"<code>{escape.text(name)}</code>")
    # the built page is <project>/site/<page folder>/index.html (directory URLs)
    page_folder = posixpath.join(project_in_output, SITE_DIR, posixpath.dirname(page))
    href = posixpath.relpath(path, page_folder)
    from urllib.parse import quote

    return Markup(f'<a href="{escape.text(quote(href))}"><code>{escape.text(name)}</code></a>')
