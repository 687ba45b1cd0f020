"""The pages' lineage pictures: laid out while the pages render, written as files beside them.

    drawing = PictureDrawing.of(mesh, [(view, subject, page), ...])
    drawing.markers        # (view, subject) → what the page prints: an <img> of its lineage.svg
    drawing.draw(pages)    # start laying out the pictures of those pages (None: all)
    drawing.finish(files)  # waits for the layout; adds docs/<page folder>/lineage.svg to files

The pictures drawn are laid out by one call of meshgen.lineage.render_svgs (Graphviz's `dot`, a
few processes at once, or grandalf) on a thread of its own, started before the first page is
rendered: the pages need only the marker, so `dot` runs on the other core while Python renders.
A forked worker that renders a part of the site (docsite/part_workers.py) draws that part's.
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
    drawn_pages: list[str] = field(default_factory=list)  # the page of each picture to draw, in order
    views: list[tuple[Any, Any]] = field(default_factory=list)  # its view and node links, for each of those
    started: list[str] = field(default_factory=list)  # the pages whose pictures `draw` started
    future: Future | None = None  # the SVG of each started, once laid out

    @classmethod
    def of(cls, mesh: "Mesh", requests: list[tuple[str, Any, str]]) -> "PictureDrawing":
        """Work out which pages get a picture and what each shows (nothing is laid out yet)."""
        from meshgen.errors import MeshgenError

        try:
            from meshgen.lineage import Lineage, layout_engine, page_views

            layout_engine()  # no dot and no grandalf: say so now, on every page
        except (ImportError, MeshgenError) as exc:
            return cls._without(requests, str(exc) if isinstance(exc, MeshgenError) else "meshgen.lineage is missing")
        lineage = Lineage.of(mesh)
        drawing = cls()
        for view, subject, page in requests:
            [drawn] = page_views(mesh, [(view, subject, _href(page))], lineage=lineage,
                                 domain_href=_domain_href(page) if view == "mesh" else None)
            if drawn is None:
                drawing.markers[(view, subject)] = Markup("")
                continue
            drawing.markers[(view, subject)] = PICTURE
            drawing.drawn_pages.append(page)
            drawing.views.append(drawn)
        return drawing

    @classmethod
    def _without(cls, requests: list[tuple[str, Any, str]], why: str) -> "PictureDrawing":
        return cls(markers={(view, subject): _no_picture(why) for view, subject, _ in requests})

    def picture_file(self, page: str) -> str:
        """The project file of a page's picture."""
        return posixpath.join(DOCS_DIR, posixpath.dirname(page), PICTURE_FILE)

    def draw(self, pages: set[str] | None = None) -> "PictureDrawing":
        """Start laying out the pictures of `pages` (every picture when None), in the background."""
        from meshgen.lineage import render_svgs

        if not self.views:
            return self
        chosen = [i for i, page in enumerate(self.drawn_pages) if pages is None or page in pages]
        self.started = [self.drawn_pages[i] for i in chosen]
        pool = ThreadPoolExecutor(max_workers=1)
        self.future = pool.submit(render_svgs, [self.views[i][0] for i in chosen], [self.views[i][1] for i in chosen])
        pool.shutdown(wait=False)  # finish() waits for it
        return self

    def finish(self, files: dict[str, str]) -> None:
        """Add each started picture's file to the project; when the layout failed, the pages say why instead."""
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
        for page, svg in zip(self.started, svgs):
            files[self.picture_file(page)] = svg


def _href(page: str):
    return lambda address: pages.relative_url(page, pages.product_page(address))


def _domain_href(page: str):
    return lambda domain: pages.relative_url(page, pages.domain_page(domain))


def _no_picture(why: str) -> Markup:
    return Markup(f"<!-- lineage: no picture ({escape.text(why)}) -->")
