"""Lineage: the mesh drawn as a graph of products, for the docs site and for other tools.

    lineage = Lineage.of(mesh)                       # graph.py: nodes, edges with the fields read
    view = lineage.mesh_view()                       # or domain_view(d), product_view(address, depth)
    render(view, "svg" | "dot" | "mermaid" | "json", href=...)
    page_svg(mesh, "product", address, href)         # what a docs page inlines
    page_svgs(mesh, [(view, subject, href), ...])    # every page of a site, one `dot` process
    page_views(mesh, [(view, subject, href), ...])   # what page_svgs draws, to draw it elsewhere

SVG is laid out by Graphviz's `dot` when it is on PATH, else by grandalf (pure Python, the
`docs` extra); `MESHGEN_LINEAGE_LAYOUT=dot|grandalf` picks one. Both write one `<svg>` element
with no script and no external reference, the same bytes for the same mesh.
"""

from __future__ import annotations

import os
from typing import Callable, Optional, Sequence

from meshgen.errors import MeshgenError, UsageError
from meshgen.lineage.graph import DOMAIN_LEVEL_THRESHOLD, Lineage, LineageEdge, LineageNode, LineageView

__all__ = ["DOMAIN_LEVEL_THRESHOLD", "FORMATS", "Lineage", "LineageEdge", "LineageNode", "LineageView",
           "layout_engine", "page_svg", "page_svgs", "page_views", "render", "render_svgs"]

FORMATS = ("svg", "dot", "mermaid", "json")
LAYOUT_VARIABLE = "MESHGEN_LINEAGE_LAYOUT"
Href = Callable[[LineageNode], Optional[str]]


def layout_engine() -> tuple[str, str | None]:
    """("dot", its path) or ("grandalf", None): dot when on PATH unless MESHGEN_LINEAGE_LAYOUT says."""
    from meshgen.lineage.dot import dot_program

    wanted = os.environ.get(LAYOUT_VARIABLE, "").strip().lower()
    if wanted not in ("", "dot", "grandalf"):
        raise UsageError(f"{LAYOUT_VARIABLE}={wanted!r}: use dot or grandalf")
    program = dot_program()
    if wanted == "dot" and program is None:
        raise MeshgenError(f"{LAYOUT_VARIABLE}=dot but Graphviz's `dot` is not on PATH (install graphviz)")
    if program is not None and wanted != "grandalf":
        return "dot", program
    try:
        import grandalf  # noqa: F401
    except ImportError:
        raise MeshgenError("drawing lineage as SVG needs Graphviz's `dot` on PATH or the grandalf package: "
                           "install graphviz, or pip install 'meshgen[docs]'") from None
    return "grandalf", None


def render_svgs(views: Sequence[LineageView], hrefs: Sequence[Href | None]) -> list[str]:
    """Each view as an `<svg>` element, with one layout engine (one `dot` process for all)."""
    engine, program = layout_engine()
    if engine == "dot":
        from meshgen.lineage.dot import dot_text, run_dot

        return run_dot([dot_text(v, h) for v, h in zip(views, hrefs)], program)
    from meshgen.lineage.svg import svg_text

    return [svg_text(v, h) for v, h in zip(views, hrefs)]


def render(view: LineageView, fmt: str, href: Href | None = None) -> str:
    """The view as text in one of FORMATS."""
    if fmt == "svg":
        return render_svgs([view], [href])[0]
    if fmt == "dot":
        from meshgen.lineage.dot import dot_text

        return dot_text(view, href)
    if fmt == "mermaid":
        from meshgen.lineage.mermaid import mermaid_text

        return mermaid_text(view)
    if fmt == "json":
        from meshgen.serializer import json_document

        return json_document(view.to_dict())
    raise UsageError(f"unknown lineage format {fmt!r}: use one of {', '.join(FORMATS)}")


def _page_view(lineage: Lineage, view: str, subject: str | None, depth: int) -> LineageView:
    if view == "mesh":
        return lineage.mesh_view()
    if view == "domain":
        return lineage.domain_view(subject)
    if view == "product":
        return lineage.product_view(subject, depth)
    raise ValueError(f"unknown lineage view {view!r}: mesh, domain or product")


def page_views(mesh, pictures: Sequence[tuple[str, str | None, Callable[[str], str]]], *,
               domain_href: Callable[[str], str] | None = None, depth: int = 1,
               lineage: Lineage | None = None) -> list[tuple[LineageView, Href] | None]:
    """For each (view, subject, href) the view a docs page draws and its node links, or None for a
    product with no producer and no consumer (nothing to draw). `href(address)` and
    `domain_href(domain)` give link targets relative to that page; `lineage`: the graph, when the
    caller already has it."""
    lineage = lineage if lineage is not None else Lineage.of(mesh)
    out: list[tuple[LineageView, Href] | None] = []
    for view, subject, href in pictures:
        drawn = _page_view(lineage, view, subject, depth)
        alone = drawn.kind == "product" and len(drawn.nodes) == 1
        out.append(None if alone else (drawn, _node_href(href, domain_href)))
    return out


def page_svgs(mesh, pictures: Sequence[tuple[str, str | None, Callable[[str], str]]], *,
              domain_href: Callable[[str], str] | None = None, depth: int = 1) -> list[str]:
    """For each (view, subject, href) the `<svg>` element a docs page inlines ("" for a product
    with no producer and no consumer), as `page_views` describes them. One layout process draws them all."""
    views = page_views(mesh, pictures, domain_href=domain_href, depth=depth)
    drawn = [v for v in views if v is not None]
    svgs = iter(render_svgs([v for v, _ in drawn], [h for _, h in drawn]))
    return [next(svgs) if v is not None else "" for v in views]


def page_svg(mesh, view: str, subject: str | None, href: Callable[[str], str], *,
             domain_href: Callable[[str], str] | None = None, depth: int = 1) -> str:
    """One page's picture: `view` "mesh" (subject None), "domain" (a domain) or "product" (an address)."""
    return page_svgs(mesh, [(view, subject, href)], domain_href=domain_href, depth=depth)[0]


def _node_href(href: Callable[[str], str], domain_href: Callable[[str], str] | None) -> Href:
    def node_href(node: LineageNode) -> str | None:
        if node.kind == "domain":
            return domain_href(node.domain) if domain_href is not None else None
        return href(node.id)

    return node_href
