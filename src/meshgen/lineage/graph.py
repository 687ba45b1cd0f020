"""The lineage graph of a mesh, and the views that are drawn from it.

Built from the resolved layer (`mesh.graph` for who reads whom, `mesh.resolved(pf).inputs` for
the fields each input port reads): a node per product, an edge per (producer, consumer) pair
carrying every input port along it. A view is the part of it one picture shows, ready for a
renderer: nodes grouped in clusters (their domains), edges with their labels, one node
highlighted. Every collection is sorted, so every renderer writes the same bytes each run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh

# Past this many products the mesh picture draws domains, not products: a thousand boxes in
# one picture are unreadable, a few dozen domains with counted edges are not.
DOMAIN_LEVEL_THRESHOLD = 60
# Past this many products up- or downstream, a product's picture shows its direct neighbours on
# that side as one node per domain (a product read by 900 others is still one readable picture).
NEIGHBOUR_LIMIT = 40
_LABEL_FIELDS = 3  # fields named on an edge label before "+N more"
_TEXT_LIMIT = 48  # characters of a title or label line before it is cut with an ellipsis


def display_text(text: str, limit: int = _TEXT_LIMIT) -> str:
    """One line of a label: control characters and line breaks become spaces, long text is cut.
    (Escaping for each format is the renderer's job; this only keeps a picture one line per line.)"""
    cleaned = "".join(" " if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029") else ch
                      for ch in text)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def link_target(url: str) -> str:
    """A node's link as written into a picture: percent-encoded but for `/ . - _ ~ % :`, so it is
    one safe token in any attribute (Graphviz 2.43 writes a URL into its SVG unescaped)."""
    from urllib.parse import quote

    return quote(url, safe="/.-_~%:")


@dataclass(frozen=True)
class PortRead:
    """One input port: `consumer` reads `fields` of `dataset` from the producer through `port`."""

    consumer: str
    port: str
    dataset: str
    fields: tuple[str, ...]

    def label(self) -> str:
        shown = ", ".join(self.fields[:_LABEL_FIELDS])
        more = len(self.fields) - _LABEL_FIELDS
        return display_text(f"{self.dataset}: {shown}" + (f" +{more} more" if more > 0 else ""), 64)


@dataclass(frozen=True)
class LineageNode:
    """A product (`kind` "product", `id` its address) or, in a domain-level view, a whole domain
    (`kind` "domain", `id` "domain:<name>")."""

    id: str
    kind: str
    domain: str
    name: str
    major: int = 0
    title: str = ""
    status: str = ""
    products: int = 1  # a domain node: how many products it holds

    @property
    def lines(self) -> tuple[str, ...]:
        """The label, one display line each."""
        if self.kind == "domain":
            return (display_text(self.domain), f"{self.products} product{'s' * (self.products != 1)}")
        first = display_text(f"{self.name} v{self.major}")
        rest = [display_text(self.title)] if self.title else []
        if self.status in ("deprecated", "retired", "draft"):
            rest.append(self.status)
        return (first, *rest)


@dataclass(frozen=True)
class LineageEdge:
    """`source` is read by `target`: every input port along that pair (a domain-level edge
    carries the ports of every product pair between the two domains)."""

    source: str
    target: str
    reads: tuple[PortRead, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        if self.source.startswith("domain:") or self.target.startswith("domain:"):
            n = len(self.reads)
            return (f"{n} input port{'s' * (n != 1)}",)
        return tuple(r.label() for r in self.reads)


@dataclass(frozen=True)
class LineageView:
    """What one picture shows. `kind`: mesh, domains (the mesh drawn by domain), domain or product."""

    kind: str
    subject: str | None
    nodes: tuple[LineageNode, ...]
    edges: tuple[LineageEdge, ...]
    focus: str | None = None  # the node drawn highlighted (the product of a product view)

    @property
    def clusters(self) -> list[tuple[str, list[LineageNode]]]:
        """(domain, its nodes) in domain order; a domain-level view has none."""
        if self.kind == "domains":
            return []
        groups: dict[str, list[LineageNode]] = {}
        for node in self.nodes:
            groups.setdefault(node.domain, []).append(node)
        return sorted(groups.items())

    @property
    def id_prefix(self) -> str:
        """A prefix for the ids inside one picture, unique per view and subject and safe in any id."""
        import hashlib

        digest = hashlib.sha256(f"{self.kind}\0{self.subject or ''}".encode()).hexdigest()[:8]
        return f"lineage-{self.kind}-{digest}"

    def to_dict(self) -> dict:
        """Plain data for JSON: the nodes, and each edge with every port and the fields it reads."""
        return {
            "view": self.kind, "subject": self.subject, "focus": self.focus,
            "nodes": [_node_dict(n) for n in self.nodes],
            "edges": [{"source": e.source, "target": e.target,
                       "reads": [{"consumer": r.consumer, "port": r.port, "dataset": r.dataset, "fields": list(r.fields)}
                                 for r in e.reads]} for e in self.edges],
        }


def _node_dict(node: LineageNode) -> dict:
    if node.kind == "domain":
        return {"id": node.id, "kind": "domain", "domain": node.domain, "products": node.products}
    return {"id": node.id, "kind": "product", "address": node.id, "domain": node.domain, "name": node.name,
            "major": node.major, "title": node.title, "status": node.status}


@dataclass
class Lineage:
    """Every product of a mesh and every resolved input port between them."""

    nodes: dict[str, LineageNode]  # address → node
    edges: dict[tuple[str, str], LineageEdge]  # (producer, consumer) → edge
    _parents: dict[str, list[str]] = field(default_factory=dict)
    _children: dict[str, list[str]] = field(default_factory=dict)
    _from: dict[str, list["LineageEdge"]] | None = field(default=None, repr=False, compare=False)

    def _edges_among(self, shown: set[str]) -> list["LineageEdge"]:
        """The edges between nodes of `shown`, found from each node's own edges (a product's view
        scanned every edge of the mesh: each page cost the mesh's size)."""
        if self._from is None:
            self._from = {}
            for (source, _), edge in self.edges.items():
                self._from.setdefault(source, []).append(edge)
        return [e for s in sorted(shown) for e in self._from.get(s, ()) if e.target in shown]

    @classmethod
    def of(cls, mesh: "Mesh") -> "Lineage":
        graph = mesh.graph
        index = mesh.by_address()
        nodes, reads = {}, {}
        for address in graph.nodes:
            p = index[address].product
            nodes[address] = LineageNode(address, "product", p.domain, p.name, p.major, p.title or "", p.status)
            for link in mesh.resolved(index[address]).inputs:
                if link.producer is None or link.address not in index:
                    continue  # MESH002 reports it, or another repository's product: no node to draw it to
                read = PortRead(address, link.port.name, link.port.dataset, tuple(link.port.fields))
                reads.setdefault((link.address, address), []).append(read)
        edges = {pair: LineageEdge(*pair, tuple(sorted(rs, key=lambda r: (r.port, r.dataset))))
                 for pair, rs in sorted(reads.items())}
        return cls(nodes, edges, {a: graph.parents(a) for a in graph.nodes}, {a: graph.children(a) for a in graph.nodes})

    def mesh_view(self, threshold: int = DOMAIN_LEVEL_THRESHOLD) -> LineageView:
        """Every product grouped by domain; past `threshold` products, a node per domain."""
        if len(self.nodes) > threshold:
            return self.domains_view()
        return self._view("mesh", None, self.nodes, None)

    def domains_view(self) -> LineageView:
        """A node per domain, an edge per pair of domains with the ports between them counted
        (reads inside one domain are not drawn)."""
        counts: dict[str, int] = {}
        for node in self.nodes.values():
            counts[node.domain] = counts.get(node.domain, 0) + 1
        nodes = [LineageNode(f"domain:{d}", "domain", d, d, products=n) for d, n in sorted(counts.items())]
        between: dict[tuple[str, str], list[PortRead]] = {}
        for (producer, consumer), edge in self.edges.items():
            a, b = self.nodes[producer].domain, self.nodes[consumer].domain
            if a != b:
                between.setdefault((f"domain:{a}", f"domain:{b}"), []).extend(edge.reads)
        edges = [LineageEdge(s, t, tuple(rs)) for (s, t), rs in sorted(between.items())]
        return LineageView("domains", None, tuple(nodes), tuple(edges))

    def domain_view(self, domain: str) -> LineageView:
        """The domain's products and their direct producers and consumers outside it."""
        inside = {a for a, n in self.nodes.items() if n.domain == domain}
        if not inside:
            raise KeyError(domain)
        shown = set(inside)
        for address in inside:
            shown.update(self._parents[address], self._children[address])
        edges = [e for pair, e in self.edges.items() if pair[0] in inside or pair[1] in inside]
        return self._view("domain", domain, {a: self.nodes[a] for a in shown}, None, edges)

    def product_view(self, address: str, depth: int = 1) -> LineageView:
        """The product, what it reads and who reads it, `depth` steps each way (0: no limit).
        A side with more than NEIGHBOUR_LIMIT products shows its direct neighbours as one node
        per domain (id `domain:<d>:producers` or `domain:<d>:consumers`), their ports counted."""
        if address not in self.nodes:
            raise KeyError(address)
        shown, summary = {address}, []
        for side, step in (("producers", self._parents), ("consumers", self._children)):
            found = self._walk(address, step, depth)
            if len(found) <= NEIGHBOUR_LIMIT:
                shown |= found
                continue
            groups: dict[str, list[str]] = {}
            for other in step[address]:
                groups.setdefault(self.nodes[other].domain, []).append(other)
            for domain, members in sorted(groups.items()):
                node = LineageNode(f"domain:{domain}:{side}", "domain", domain, domain, products=len(members))
                pairs = [(m, address) if side == "producers" else (address, m) for m in members]
                reads = tuple(r for pair in pairs for r in self.edges[pair].reads)
                ends = (node.id, address) if side == "producers" else (address, node.id)
                summary.append((node, LineageEdge(*ends, reads)))
        nodes = {a: self.nodes[a] for a in shown} | {n.id: n for n, _ in summary}
        edges = self._edges_among(shown) + [e for _, e in summary]
        return self._view("product", address, nodes, address, edges)

    @staticmethod
    def _walk(start: str, step: dict[str, list[str]], depth: int) -> set[str]:
        seen, frontier, level = set(), [start], 0
        while frontier and (depth <= 0 or level < depth):
            frontier = [n for node in frontier for n in step[node] if n not in seen and n != start]
            seen.update(frontier)
            level += 1
        return seen

    def _view(self, kind: str, subject: str | None, nodes: dict[str, LineageNode], focus: str | None,
              edges: Iterable[LineageEdge] | None = None) -> LineageView:
        if edges is None:
            edges = [e for (s, t), e in self.edges.items() if s in nodes and t in nodes]
        ordered = sorted(nodes.values(), key=lambda n: (n.domain, n.id))
        return LineageView(kind, subject, tuple(ordered), tuple(sorted(edges, key=lambda e: (e.source, e.target))), focus)
