"""SVG without Graphviz: a layered layout by grandalf (Sugiyama, pure Python), drawn here.

Domains are clusters: each domain's products are laid out on their own, then the domains as
boxes, with the reads between domains drawn as straight lines between the boxes. Ranks run
left to right like `dot -Grankdir=LR`. The SVG is built element by element with every string
XML-escaped (and characters XML cannot hold dropped), product nodes are `<a href>` links, and
nothing refers outside the picture: no script, no stylesheet, no font, no image.
"""

from __future__ import annotations

from typing import Callable, Optional
from xml.sax.saxutils import escape, quoteattr

from meshgen.lineage.graph import LineageEdge, LineageNode, LineageView, link_target

Href = Callable[[LineageNode], Optional[str]]
Point = tuple[float, float]

_CHAR_WIDTH, _LABEL_CHAR_WIDTH, _LINE_HEIGHT, _PAD = 6.6, 5.4, 15.0, 10.0
_GAP, _CLUSTER_PAD, _CLUSTER_TITLE = 40.0, 14.0, 20.0
_FILL = {"product": "#f5f7fa", "domain": "#e3ecf7", "focus": "#ffe8a3"}


def _xml_text(text: str) -> str:
    return escape("".join(ch for ch in text if _xml_char(ch)))


def _xml_attr(text: str) -> str:
    return quoteattr("".join(ch for ch in text if _xml_char(ch)), {"\n": "&#10;", "\t": "&#9;"})


def _xml_char(ch: str) -> bool:
    code = ord(ch)
    return code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _size(lines: tuple[str, ...]) -> Point:
    return max(len(line) for line in lines) * _CHAR_WIDTH + 2 * _PAD, len(lines) * _LINE_HEIGHT + _PAD


class _View:
    """grandalf's view of a vertex or an edge: a size in, a position (or a path) out."""

    def __init__(self, w: float = 0.0, h: float = 0.0):
        self.w, self.h, self.xy, self.path = w, h, (0.0, 0.0), []

    def setpath(self, points):
        self.path = [tuple(p) for p in points]


def layered(sizes: dict[str, Point], edges: list[tuple[str, str]], rank_gap: float = 48.0
            ) -> tuple[dict[str, Point], dict[tuple[str, str], list[Point]], Point]:
    """Centres of boxes of the given sizes, ranks left to right `rank_gap` apart; each edge's
    route; the total size. Components are laid out one by one and stacked top to bottom;
    self-loops are not routed."""
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    vertices = {key: Vertex(key) for key in sorted(sizes)}
    for key, vertex in vertices.items():
        w, h = sizes[key]
        vertex.view = _View(h, w)  # laid out top to bottom, then turned: ranks run left to right
    links = {}
    for s, t in sorted(set(edges)):
        if s != t:
            links[(s, t)] = Edge(vertices[s], vertices[t])
            links[(s, t)].view = _View()
    centres, routes, top, width = {}, {}, 0.0, 0.0
    for component in Graph(list(vertices.values()), list(links.values())).C:
        layout = SugiyamaLayout(component)
        layout.xspace, layout.yspace = 24, rank_gap
        roots = [v for v in component.sV if not v.e_in()] or [component.sV[0]]
        layout.init_all(roots=roots)
        layout.draw()
        boxes = {v.data: (v.view.xy[1], v.view.xy[0]) for v in component.sV}
        left = min(x - sizes[k][0] / 2 for k, (x, y) in boxes.items())
        up = min(y - sizes[k][1] / 2 for k, (x, y) in boxes.items())
        for key, (x, y) in boxes.items():
            centres[key] = (x - left, y - up + top)
            width = max(width, x - left + sizes[key][0] / 2)
        for e in component.sE:
            path = [(y - left, x - up + top) for x, y in e.view.path]
            pair = (e.v[0].data, e.v[1].data)
            if pair not in links:  # grandalf turned a cycle's edge around: draw it the way it reads
                pair, path = pair[::-1], path[::-1]
            routes[pair] = path
        top = max(centres[k][1] + sizes[k][1] / 2 for k in boxes) + _GAP
    return centres, routes, (width, max(top - _GAP, 0.0))


def _clip(centre: Point, size: Point, toward: Point) -> Point:
    """Where the line from a box's centre toward a point leaves the box."""
    dx, dy = toward[0] - centre[0], toward[1] - centre[1]
    if dx == 0 and dy == 0:
        return centre
    scale = min(size[0] / 2 / abs(dx) if dx else float("inf"), size[1] / 2 / abs(dy) if dy else float("inf"))
    return centre[0] + dx * min(scale, 1.0), centre[1] + dy * min(scale, 1.0)


def _placement(view: LineageView):
    """Every node's centre and size, each cluster's frame, each edge's route, the picture's size."""
    sizes = {n.id: _size(n.lines) for n in view.nodes}
    pairs = [(e.source, e.target) for e in view.edges]
    # room between ranks for the widest edge label
    gap = max([48.0] + [len(line) * _LABEL_CHAR_WIDTH + 24 for e in view.edges for line in e.lines])
    clusters = view.clusters
    if not clusters:
        centres, routes, total = layered(sizes, pairs, gap)
        return centres, sizes, [], routes, total
    domain_of = {n.id: n.domain for n in view.nodes}
    inner, frames = {}, {}
    for domain, nodes in clusters:
        ids = {n.id for n in nodes}
        local = layered({k: sizes[k] for k in ids}, [p for p in pairs if p[0] in ids and p[1] in ids], gap)
        inner[domain] = local
        w, h = local[2]
        frames[domain] = (max(w, len(domain) * _CHAR_WIDTH) + 2 * _CLUSTER_PAD, h + 2 * _CLUSTER_PAD + _CLUSTER_TITLE)
    between = [(domain_of[s], domain_of[t]) for s, t in pairs if domain_of[s] != domain_of[t]]
    placed, _, total = layered(frames, between, gap)
    centres, routes, boxes = {}, {}, []
    for domain, (local_centres, local_routes, _) in inner.items():
        (cx, cy), (fw, fh) = placed[domain], frames[domain]
        ox, oy = cx - fw / 2 + _CLUSTER_PAD, cy - fh / 2 + _CLUSTER_PAD + _CLUSTER_TITLE
        boxes.append((domain, cx - fw / 2, cy - fh / 2, fw, fh))
        centres.update({k: (x + ox, y + oy) for k, (x, y) in local_centres.items()})
        routes.update({pair: [(x + ox, y + oy) for x, y in path] for pair, path in local_routes.items()})
    for s, t in pairs:
        if (s, t) not in routes and s != t:
            routes[(s, t)] = [centres[s], centres[t]]
    return centres, sizes, boxes, routes, total


def _edge_path(edge: LineageEdge, centres, sizes, routes) -> tuple[str, Point]:
    """The SVG path of an edge, and where its label goes."""
    s, t = edge.source, edge.target
    if s == t:  # a product that reads itself: a loop over its top edge
        (x, y), (w, h) = centres[s], sizes[s]
        a, b, top = x - w / 4, x + w / 4, y - h / 2
        return (f"M{_num(b)},{_num(top)} C{_num(b)},{_num(top - 30)} {_num(a)},{_num(top - 30)} {_num(a)},{_num(top)}",
                (x, top - 30))
    points = list(routes[(s, t)])
    points[0] = _clip(centres[s], sizes[s], points[1])
    points[-1] = _clip(centres[t], sizes[t], points[-2])
    middle = len(points) // 2
    label_at = ((points[middle - 1][0] + points[middle][0]) / 2, (points[middle - 1][1] + points[middle][1]) / 2)
    return "M" + " L".join(f"{_num(x)},{_num(y)}" for x, y in points), label_at


def _text(lines: tuple[str, ...], x: float, y: float, size: int, bold_first: bool = False, halo: bool = False) -> str:
    """Lines of text centred on (x, y); `halo`: a white outline keeps a label readable over lines."""
    first = y - (len(lines) - 1) * _LINE_HEIGHT / 2 + size / 3
    spans = []
    for i, line in enumerate(lines):
        weight = ' font-weight="bold"' if bold_first and i == 0 else ""
        spans.append(f'<tspan x="{_num(x)}" y="{_num(first + i * _LINE_HEIGHT)}"{weight}>{_xml_text(line)}</tspan>')
    outline = ' stroke="white" stroke-width="3" paint-order="stroke"' if halo else ""
    return (f'<text text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-size="{size}"{outline}>'
            f'{"".join(spans)}</text>')


def svg_text(view: LineageView, href: Href | None = None) -> str:
    """The view as one `<svg>` element, laid out by grandalf."""
    centres, sizes, boxes, routes, (width, height) = _placement(view)
    margin, prefix = 40.0, view.id_prefix
    width, height = width + 2 * margin, height + 2 * margin
    out = [f'<svg class="meshgen-lineage-graph" xmlns="http://www.w3.org/2000/svg" width="{_num(width)}pt" '
           f'height="{_num(height)}pt" viewBox="{_num(-margin)} {_num(-margin)} {_num(width)} {_num(height)}" role="img">',
           f"<title>{_xml_text(f'lineage: {view.subject or view.kind}')}</title>",
           f'<defs><marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#5c6b7a"/></marker></defs>',
           f'<g id="{prefix}" class="graph">']
    for i, (domain, x, y, w, h) in enumerate(sorted(boxes)):
        out.append(f'<g id="{prefix}-c{i}" class="cluster"><title>{_xml_text(domain)}</title>'
                   f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" rx="6" fill="none" '
                   f'stroke="#b8c4d0"/>{_text((domain,), x + w / 2, y + _CLUSTER_TITLE / 2 + 4, 11)}</g>')
    for i, edge in enumerate(view.edges):
        d, (lx, ly) = _edge_path(edge, centres, sizes, routes)
        out.append(f'<g id="{prefix}-e{i}" class="edge"><title>{_xml_text(f"{edge.source} → {edge.target}")}</title>'
                   f'<path d="{d}" fill="none" stroke="#5c6b7a" marker-end="url(#{prefix}-arrow)"/>'
                   f'{_text(edge.lines, lx, ly - 4, 9, halo=True)}</g>')
    for i, node in enumerate(view.nodes):
        out.append(_node(node, f"{prefix}-n{i}", centres[node.id], sizes[node.id], node.id == view.focus, href))
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _node(node: LineageNode, ident: str, centre: Point, size: Point, focus: bool, href: Href | None) -> str:
    (x, y), (w, h) = centre, size
    fill = _FILL["focus" if focus else node.kind]
    shape = (f'<rect x="{_num(x - w / 2)}" y="{_num(y - h / 2)}" width="{_num(w)}" height="{_num(h)}" rx="5" '
             f'fill="{fill}" stroke="{"#9a6b00" if focus else "#5c6b7a"}" stroke-width="{2 if focus else 1}"/>'
             + _text(node.lines, x, y, 11, bold_first=True))
    link = href(node) if href else None
    if link is not None:
        shape = f"<a href={_xml_attr(link_target(link))}>{shape}</a>"
    return f'<g id="{ident}" class="node {node.kind}"><title>{_xml_text(node.id)}</title>{shape}</g>'
