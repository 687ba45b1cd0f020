"""The mesh as a graph of product addresses: an edge runs from a producer to each consumer.

Built once per mesh from the resolved input ports (`Mesh.graph`). Only products in the mesh
are nodes; an input port whose producer is missing adds no edge (MESH002 reports it). Every
answer is sorted, so what is built from it is the same for every run.
"""

from __future__ import annotations

import heapq
from typing import Iterable


class MeshGraph:
    def __init__(self, nodes: Iterable[str], edges: Iterable[tuple[str, str]],
                 foreign_edges: Iterable[tuple[str, str]] = ()):
        """`edges` are (producer, consumer) pairs between nodes; `foreign_edges` are pairs with one
        end a node and the other a product of another repository (from `indexes:`), which is no node."""
        self.nodes: tuple[str, ...] = tuple(sorted(set(nodes)))
        self._parents: dict[str, set[str]] = {n: set() for n in self.nodes}
        self._children: dict[str, set[str]] = {n: set() for n in self.nodes}
        for producer, consumer in edges:
            self._parents[consumer].add(producer)
            self._children[producer].add(consumer)
        self._foreign: dict[str, tuple[set[str], set[str]]] = {}  # node → (producers, consumers) elsewhere
        for producer, consumer in foreign_edges:
            if consumer in self._parents:
                self._foreign.setdefault(consumer, (set(), set()))[0].add(producer)
            else:
                self._foreign.setdefault(producer, (set(), set()))[1].add(consumer)

    def __contains__(self, address: str) -> bool:
        return address in self._parents

    def parents(self, address: str) -> list[str]:
        """The products `address` reads directly (its producers)."""
        return sorted(self._parents.get(address, ()))

    def children(self, address: str) -> list[str]:
        """The products that read `address` directly (its consumers)."""
        return sorted(self._children.get(address, ()))

    def foreign_parents(self, address: str) -> list[str]:
        """The products of other repositories that `address` reads directly (never nodes)."""
        return sorted(self._foreign.get(address, (set(), set()))[0])

    def foreign_children(self, address: str) -> list[str]:
        """The products of other repositories that read `address` directly (never nodes)."""
        return sorted(self._foreign.get(address, (set(), set()))[1])

    def upstream(self, address: str) -> list[str]:
        """Every product `address` depends on, directly or through others (itself excluded)."""
        return self._closure(address, self._parents)

    def downstream(self, address: str) -> list[str]:
        """Every product that depends on `address`, directly or through others (itself excluded)."""
        return self._closure(address, self._children)

    @staticmethod
    def _closure(start: str, step: dict[str, set[str]]) -> list[str]:
        seen: set[str] = set()
        todo = list(step.get(start, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(step[node])
        seen.discard(start)
        return sorted(seen)

    def topological_order(self) -> list[str]:
        """Producers before their consumers, ties in address order. The products of one cycle
        (see `cycles()`) come together, in address order, where the cycle as a whole fits."""
        groups = self._strongly_connected()
        group_of = {node: i for i, group in enumerate(groups) for node in group}
        waiting = [0] * len(groups)
        for i, group in enumerate(groups):
            waiting[i] = len({group_of[p] for n in group for p in self._parents[n]} - {i})
        ready = [(group[0], i) for i, group in enumerate(groups) if waiting[i] == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            _, i = heapq.heappop(ready)
            order.extend(groups[i])
            for j in sorted({group_of[c] for n in groups[i] for c in self._children[n]} - {i}):
                waiting[j] -= 1
                if waiting[j] == 0:
                    heapq.heappush(ready, (groups[j][0], j))
        return order

    def cycles(self) -> list[tuple[str, ...]]:
        """Each group of products that read each other in a circle (strongly connected, or a
        product reading itself), as the addresses of one circle through the group, starting at
        its smallest address: (a, b, c) means a reads b, b reads c and c reads a; (a,) is a
        product that reads itself."""
        out = []
        for group in self._strongly_connected():
            if len(group) > 1 or group[0] in self._parents[group[0]]:
                out.append(self._circle(group))
        return sorted(out)

    def _circle(self, group: list[str]) -> tuple[str, ...]:
        """A shortest circle from the group's first address, through what each one reads, back to it."""
        start, members = group[0], set(group)
        previous: dict[str, str] = {}
        frontier = [start]
        while frontier:
            following = []
            for node in frontier:
                for parent in sorted(self._parents[node] & members):
                    if parent == start:
                        path = [node]
                        while path[-1] != start:
                            path.append(previous[path[-1]])
                        return tuple(reversed(path))
                    if parent not in previous:
                        previous[parent] = node
                        following.append(parent)
            frontier = following
        return (start,)  # pragma: no cover - a strongly connected group always has a circle

    def _strongly_connected(self) -> list[list[str]]:
        """Tarjan's algorithm, iterative (a long chain must not exhaust Python's stack)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        groups: list[list[str]] = []
        for root in self.nodes:
            if root in index:
                continue
            work = [(root, iter(sorted(self._parents[root])))]
            index[root] = low[root] = len(index)
            stack.append(root)
            on_stack.add(root)
            while work:
                node, parents = work[-1]
                for parent in parents:
                    if parent not in index:
                        index[parent] = low[parent] = len(index)
                        stack.append(parent)
                        on_stack.add(parent)
                        work.append((parent, iter(sorted(self._parents[parent]))))
                        break
                    if parent in on_stack:
                        low[node] = min(low[node], index[parent])
                else:
                    work.pop()
                    if work:
                        low[work[-1][0]] = min(low[work[-1][0]], low[node])
                    if low[node] == index[node]:
                        group = []
                        while True:
                            member = stack.pop()
                            on_stack.discard(member)
                            group.append(member)
                            if member == node:
                                break
                        groups.append(sorted(group))
        return groups
