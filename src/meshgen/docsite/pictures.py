"""The pages' lineage pictures: laid out while the pages render, written as files beside them.

    drawing = PictureDrawing.start(mesh, [(view, subject, page), ...])
    drawing.markers        # (view, subject) → what the page prints: an <img> of its lineage.svg
    drawing.finish(files)  # waits for the layout; adds docs/<page folder>/lineage.svg to files

Every picture is laid out by one call of meshgen.lineage.render_svgs (Graphviz's `dot`, a few
processes at once, or grandalf) on a thread of its own, started before the first page is
rendered: the pages need only the marker, so `dot` runs on the other core while Python renders.
The SVG goes into the built HTML through meshgen's MkDocs hook (docsite/mkdocs_hook.py). Without
a layout engine, or when `dot` fails, every page says so in an HTML comment instead.
"""

from __future__ import annotations

import posixpath
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from meshgen.docsite import escape, pages
from meshgen.docsite.mkdocs_hook import MARKER, PICTURE_FILE

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh

DOCS_DIR = "docs"
PICTURE = Markup(f'<div class="meshgen-lineage">{MARKER}</div>')  # one raw HTML line: MkDocs keeps it as written


@dataclass
class PictureDrawing:
    markers: dict[tuple[str, Any], Markup] = field(default_factory=dict)
    drawn_pages: list[str] = field(default_factory=list)  # the page of each picture being drawn, in order
    future: Future | None = None  # the SVG of each, once laid out

    @classmethod
    def start(cls, mesh: "Mesh", requests: list[tuple[str, Any, str]]) -> "PictureDrawing":
        """Work out which pages get a picture and start laying them out (in the background)."""
        from meshgen.errors import MeshgenError

        try:
            from meshgen.lineage import Lineage, layout_engine, page_views, render_svgs

            layout_engine()  # no dot and no grandalf: say so now, on every page
        except (ImportError, MeshgenError) as exc:
            return cls._without(requests, str(exc) if isinstance(exc, MeshgenError) else "meshgen.lineage is missing")
        lineage = Lineage.of(mesh)
        drawing, views, hrefs = cls(), [], []
        for view, subject, page in requests:
            [drawn] = page_views(mesh, [(view, subject, _href(page))], lineage=lineage,
                                 domain_href=_domain_href(page) if view == "mesh" else None)
            if drawn is None:
                drawing.markers[(view, subject)] = Markup("")
                continue
            drawing.markers[(view, subject)] = PICTURE
            drawing.drawn_pages.append(page)
            views.append(drawn[0])
            hrefs.append(drawn[1])
        pool = ThreadPoolExecutor(max_workers=1)
        drawing.future = pool.submit(render_svgs, views, hrefs)
        pool.shutdown(wait=False)  # finish() waits for it
        return drawing

    @classmethod
    def _without(cls, requests: list[tuple[str, Any, str]], why: str) -> "PictureDrawing":
        return cls(markers={(view, subject): _no_picture(why) for view, subject, _ in requests})

    def finish(self, files: dict[str, str]) -> None:
        """Add each picture's file to the project; when the layout failed, the pages say why instead."""
        from meshgen.errors import MeshgenError

        if self.future is None:
            return
        try:
            svgs = self.future.result()
        except MeshgenError as exc:
            comment = str(_no_picture(str(exc)))
            for name, text in files.items():
                if name.endswith(".md"):
                    files[name] = text.replace(str(PICTURE), comment)
            return
        for page, svg in zip(self.drawn_pages, svgs):
            files[posixpath.join(DOCS_DIR, posixpath.dirname(page), PICTURE_FILE)] = svg


def _href(page: str):
    return lambda address: pages.relative_url(page, pages.product_page(address))


def _domain_href(page: str):
    return lambda domain: pages.relative_url(page, pages.domain_page(domain))


def _no_picture(why: str) -> Markup:
    return Markup(f"<!-- lineage: no picture ({escape.text(why)}) -->")
