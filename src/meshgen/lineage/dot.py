"""Graphviz: a view as DOT text, and DOT laid out to SVG by the real `dot` program.

Every string is written as a quoted DOT string: `"` and `\\` are escaped, line breaks are `\\n`,
so a label can never close its string, start an HTML-like `<...>` label, or become one of
Graphviz's escapes (`\\N`, `\\G`, `\\l`). Every object gets an explicit `id`, so the SVG is the
same whether one graph or a thousand are laid out by one `dot` process (Graphviz numbers
the objects it is not given ids for per run).
"""

from __future__ import annotations

import atexit
import functools
import glob
import os
import re
import shutil
import subprocess
import tempfile
from typing import Callable, Optional, Sequence

from meshgen.errors import MeshgenError
from meshgen.lineage.graph import LineageNode, LineageView, link_target

Href = Callable[[LineageNode], Optional[str]]

_STYLE = {
    "graph": 'rankdir=LR, nodesep=0.3, ranksep=0.6, fontname="Helvetica", fontsize=11, bgcolor="transparent"',
    "node": 'shape=box, style="rounded,filled", fillcolor="#f5f7fa", color="#5c6b7a", fontname="Helvetica", fontsize=11',
    "edge": 'color="#5c6b7a", fontname="Helvetica", fontsize=9, fontcolor="#3b4754"',
}
_FOCUS = 'fillcolor="#ffe8a3", color="#9a6b00", penwidth=2'
_DOMAIN_NODE = 'fillcolor="#e3ecf7", shape=box3d'


def quoted(text: str) -> str:
    """`text` as a quoted DOT string (an escString where Graphviz reads one: backslashes doubled)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{body}"'


def _attrs(**values: str) -> str:
    return ", ".join(f"{key}={quoted(value)}" for key, value in values.items() if value is not None)


def dot_text(view: LineageView, href: Href | None = None) -> str:
    """The view as a DOT digraph: one cluster per domain, products as boxes linking to their pages."""
    prefix = view.id_prefix
    numbers = {node.id: i for i, node in enumerate(view.nodes)}
    lines = [f"digraph {quoted(prefix)} {{", f"  graph [{_STYLE['graph']}, {_attrs(id=prefix)}];",
             f"  node [{_STYLE['node']}];", f"  edge [{_STYLE['edge']}];"]

    def node_line(node: LineageNode, indent: str) -> str:
        link = href(node) if href else None
        link = link_target(link) if link is not None else None
        extra = f", {_FOCUS}" if node.id == view.focus else (f", {_DOMAIN_NODE}" if node.kind == "domain" else "")
        attrs = _attrs(id=f"{prefix}-n{numbers[node.id]}", label="\n".join(node.lines), tooltip=node.id,
                       URL=link, **{"class": f"{node.kind}"})
        return f"{indent}{quoted(node.id)} [{attrs}{extra}];"

    clusters = view.clusters
    if clusters:
        for i, (domain, nodes) in enumerate(clusters):
            lines.append(f"  subgraph {quoted(f'cluster_{prefix}-{i}')} {{")
            lines.append(f'    graph [{_attrs(id=f"{prefix}-c{i}", label=domain)}, '
                         'style="rounded", color="#b8c4d0", fontcolor="#3b4754"];')
            lines.extend(node_line(node, "    ") for node in nodes)
            lines.append("  }")
    else:
        lines.extend(node_line(node, "  ") for node in view.nodes)
    for i, edge in enumerate(view.edges):
        attrs = _attrs(id=f"{prefix}-e{i}", label="\n".join(edge.lines), tooltip=f"{edge.source} → {edge.target}")
        lines.append(f"  {quoted(edge.source)} -> {quoted(edge.target)} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_program() -> str | None:
    return shutil.which("dot")


def run_dot(sources: Sequence[str], program: str) -> list[str]:
    """Lay out every DOT graph, each in its own `dot -Tsvg` process (a few processes at once); the
    SVG of each, cleaned (see `clean_svg`). One graph a process because Graphviz (2.43) lays out a
    graph differently after others in the same process, and corrupts its heap after dozens: with
    64 graphs a process, 25 of a 200-product site's 209 pictures changed from one build to the
    next. Each process loads only Graphviz's core and dot-layout plugins (`core_plugins_env`):
    ~4 ms of CPU instead of ~17-27 with the text-layout plugin (pango, cairo, fontconfig). The
    pictures are drawn while the pages render."""
    from concurrent.futures import ThreadPoolExecutor

    env = core_plugins_env(program)
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        return list(pool.map(lambda source: _run_one(source, program, env), sources))


def _run_one(source: str, program: str, env: dict[str, str] | None) -> str:
    try:
        done = subprocess.run([program, "-Tsvg"], input=source.encode("utf-8"), capture_output=True,
                              timeout=600, check=False, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MeshgenError(f"Graphviz `dot` could not lay out the lineage graph: {exc}") from None
    if done.returncode == 0 and done.stdout.lstrip().startswith(b"<?xml"):
        return clean_svg(done.stdout.decode("utf-8", "replace"))
    message = done.stderr.decode("utf-8", "replace").strip().splitlines()
    raise MeshgenError(f"Graphviz `dot` failed: {message[-1] if message else f'exit {done.returncode}'}")


def warm_up() -> None:
    """Find `dot` and its core plugins now (cached for the process), so that processes forked
    after this share them rather than each making a plugin folder of its own."""
    program = dot_program()
    if program is not None:
        core_plugins_env(program)


CORE_PLUGINS = ("libgvplugin_core", "libgvplugin_dot_layout")  # the svg renderer; the dot layout
_LIBDIR = re.compile(r'^libdir = "(.*)"$', re.M)


@functools.lru_cache(maxsize=None)
def core_plugins_env(program: str) -> dict[str, str] | None:
    """The environment that makes `dot` load only CORE_PLUGINS: GVBINDIR names a folder of this
    process with links to them and the plugin configuration `dot -c` writes for them. Without the
    text-layout plugin, dot measures text with its built-in Helvetica metrics instead of the
    installed fonts, so the pictures no longer depend on the machine's fonts either. None (dot's
    own plugins) when the plugins are not found where `dot -v` says they are."""
    try:
        said = subprocess.run([program, "-v"], stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        found = _LIBDIR.search(said.stderr.decode("utf-8", "replace"))
        libraries = [sorted(path for path in glob.glob(os.path.join(found.group(1), f"{name}.*"))
                            if not path.endswith(".la")) if found else [] for name in CORE_PLUGINS]
        if not all(libraries):
            return None
        _remove_dead_folders()
        folder = tempfile.mkdtemp(prefix=f"{_FOLDER_PREFIX}{os.getpid()}-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        for library in libraries:
            os.symlink(library[0], os.path.join(folder, os.path.basename(library[0])))
        env = {**os.environ, "GVBINDIR": folder}
        configured = subprocess.run([program, "-c"], stdin=subprocess.DEVNULL, capture_output=True, env=env,
                                    timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return env if configured.returncode == 0 and glob.glob(os.path.join(folder, "config*")) else None


_FOLDER_PREFIX = "meshgen-graphviz-"  # then the pid of the process that made it


def _remove_dead_folders() -> None:
    """The plugin folders of this user's processes that ended without removing theirs (killed by
    a signal, atexit never ran), removed: the pid in a folder's name is no process any more."""
    base = tempfile.gettempdir()
    try:
        entries = [entry for entry in os.scandir(base) if entry.name.startswith(_FOLDER_PREFIX)]
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(_FOLDER_PREFIX):].partition("-")[0]
        try:
            if not pid.isdigit() or entry.stat(follow_symlinks=False).st_uid != os.getuid() \
                    or not entry.is_dir(follow_symlinks=False) or _running(int(pid)):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True


_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)


def clean_svg(svg: str) -> str:
    """Graphviz's SVG as one element to inline in HTML: no XML declaration, no DOCTYPE (it names
    an external DTD), no comments (the first one carries Graphviz's version, which would make the
    bytes differ between machines), no blank lines; the root marked `meshgen-lineage-graph`."""
    body = _PROLOGUE.sub("", svg)
    body = "\n".join(line for line in body.splitlines() if line.strip()) + "\n"
    return _clusters_in_order(body).replace("<svg ", '<svg class="meshgen-lineage-graph" ', 1)


_CLUSTER = re.compile(r'<g id="[^"]*&#45;c(\d+)" class="cluster">\n.*?</g>\n', re.S)


def _clusters_in_order(body: str) -> str:
    """The clusters in the order written (dot emits them in the order of its interned names);
    they never overlap, so the picture is the same."""
    found = list(_CLUSTER.finditer(body))
    if not found:
        return body
    start, end = found[0].start(), found[-1].end()
    if "".join(m.group(0) for m in found) != body[start:end]:  # not one run of clusters: leave as drawn
        return body
    ordered = sorted(found, key=lambda m: int(m.group(1)))
    return body[:start] + "".join(m.group(0) for m in ordered) + body[end:]
