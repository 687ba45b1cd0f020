"""MkDocs on every core: a big site built by a few `mkdocs build` processes at once, then merged.

MkDocs renders one page after another in one process (Python-Markdown, the theme, the search
plugin's HTML parser: ~30 ms a product page), so a 1,000-product site kept one core busy for
half a minute while the other idled. meshgen splits the pages into PARTS, each a run of pages in
MkDocs' own order (folders depth first, sorted, `index.md` first); part k is built by `mkdocs
build` with a config of its own (`INHERIT: mkdocs.yml`, its `site_dir`, and `exclude_docs` naming
every page of the other parts), all parts at once. Then the part sites are merged into `site/`:
a file two parts wrote (the theme's assets, 404.html, a picture beside an unexcluded page) must
be the same bytes; the search index's entries and the sitemap's URLs are concatenated in part
order, which is the order one build writes them; `sitemap.xml.gz` is compressed again as MkDocs
does. So the site is the same bytes as one `mkdocs build` (tests/docsite/test_site.py compares).

A link to a page of another part is rewritten as usual and must still name a page (MkDocs logs
it at info level, which `--strict` allows); an anchor into another part's page is not checked
(MkDocs checks anchors only on the pages it rendered). `MESHGEN_MKDOCS_PARTS=N` sets the number
of parts (1: one plain `mkdocs build`); by default one per core, at most MAX_PARTS, none under
PAGES_PER_PART pages each.
"""

from __future__ import annotations

import gzip
import json
import os
import posixpath
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from meshgen.errors import MeshgenError

PARTS_VARIABLE = "MESHGEN_MKDOCS_PARTS"
MAX_PARTS = 4
PAGES_PER_PART = 150  # below this a process of its own (~1.5 s of MkDocs start-up) does not pay
SEARCH_INDEX = "search/search_index.json"
SITEMAP = "sitemap.xml"


@dataclass
class PartRun:
    """One `mkdocs build` process: its command's result and what it cost (for benchmarks)."""

    returncode: int
    output: str
    cpu_s: float
    wall_s: float


def page_order(docs_dir: Path) -> list[str]:
    """The Markdown pages under docs_dir (posix paths), in the order MkDocs walks them."""
    pages = []
    for folder, dirnames, filenames in os.walk(docs_dir):
        dirnames.sort()
        filenames.sort(key=lambda name: (os.path.splitext(name)[0] not in ("index", "README"), name))
        relative = Path(folder).relative_to(docs_dir).as_posix()
        pages.extend(name if relative == "." else f"{relative}/{name}" for name in filenames if name.endswith(".md"))
    return pages


def part_count(pages: int) -> int:
    wanted = os.environ.get(PARTS_VARIABLE, "").strip()
    if wanted:
        try:
            return max(1, int(wanted))
        except ValueError:
            raise MeshgenError(f"{PARTS_VARIABLE}={wanted!r}: give a number of processes") from None
    return max(1, min(os.cpu_count() or 1, MAX_PARTS, pages // PAGES_PER_PART))


def split_pages(pages: list[str], sizes: list[int], parts: int) -> list[list[str]]:
    """`pages` cut into `parts` runs of about the same bytes of Markdown (a page's cost follows its size)."""
    total, done, cut = sum(sizes) or 1, 0, [[] for _ in range(parts)]
    for page, size in zip(pages, sizes):
        cut[min(parts - 1, done * parts // total)].append(page)
        done += size
    return [run for run in cut if run]


def exclusions(pages: list[str], kept: set[str], beside: tuple[str, ...] = ()) -> list[str]:
    """`exclude_docs` patterns for every page not kept: a whole folder when none of the pages under
    it is kept (folders without pages stay), else the page itself and the files named `beside`
    in its folder (its lineage picture: the part that renders the page writes it)."""
    kept_under: dict[str, int] = {}
    for page in pages:
        parts = page.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            kept_under[folder] = kept_under.get(folder, 0) + (page in kept)
    patterns, done = [], set()
    for page in pages:
        if page in kept:
            continue
        parts = page.split("/")
        folders = ["/".join(parts[:depth]) for depth in range(1, len(parts))]
        outer = next((folder for folder in folders if kept_under[folder] == 0), None)
        if outer is None:
            patterns.append("/" + _escaped(page))
            folder = posixpath.dirname(page)
            patterns.extend("/" + _escaped(posixpath.join(folder, name)) for name in beside)
        elif outer not in done:
            done.add(outer)
            patterns.append("/" + _escaped(outer) + "/")
    return patterns


def _escaped(path: str) -> str:
    """A path as a literal gitignore pattern (what exclude_docs reads)."""
    return "".join("\\" + ch if ch in "\\*?[]!# " else ch for ch in path)


def build_in_parts(project: Path, command: list[str], env: dict[str, str], site_dir: str,
                   parts: list[list[str]]) -> list[PartRun]:
    """Run `command` (mkdocs build ... without -f) once per part, all at once, and merge their
    sites into project/site_dir. Returns each process's run; merges only when all succeeded."""
    configs = write_part_configs(project, site_dir, parts)
    started = [start_part(project, command, env, config) for config in configs]
    runs = [finish_part(begun, process) for begun, process in started]
    for config in configs:
        config.unlink()
    if all(run.returncode == 0 for run in runs):
        merge_sites(part_sites(project, site_dir, len(parts)), project / site_dir)
    return runs


def write_part_configs(project: Path, site_dir: str, parts: list[list[str]]) -> list[Path]:
    """Each part's config beside mkdocs.yml: it inherits it, excluding the other parts' pages."""
    from meshgen.docsite.mkdocs_hook import PICTURE_FILE

    docs_order = [page for part in parts for page in part]
    configs = []
    for k, part in enumerate(parts):
        config = project / f".meshgen-mkdocs-part{k}.yml"
        config.write_text(_part_config(site_dir, k, exclusions(docs_order, set(part), beside=(PICTURE_FILE,))),
                          encoding="utf-8")
        configs.append(config)
    return configs


def part_sites(project: Path, site_dir: str, parts: int) -> list[Path]:
    return [project / _part_site(site_dir, k) for k in range(parts)]


def _part_site(site_dir: str, k: int) -> str:
    return f".meshgen-{site_dir}-part{k}"


def _part_config(site_dir: str, k: int, excluded: list[str]) -> str:
    from meshgen.serializer import yaml_document

    return yaml_document({"INHERIT": "mkdocs.yml", "site_dir": _part_site(site_dir, k),
                          "exclude_docs": "\n".join(excluded) + "\n"})


def start_part(project: Path, command: list[str], env: dict[str, str], config: Path) -> tuple[float, subprocess.Popen]:
    """`command -f config` started in the project folder: (when it started, the process)."""
    return time.perf_counter(), subprocess.Popen(command + ["-f", str(config)], cwd=project, env=env,
                                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                                 stderr=subprocess.STDOUT)


def finish_part(begun: float, process: subprocess.Popen) -> PartRun:
    output = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return PartRun(process.returncode, output, usage.ru_utime + usage.ru_stime, time.perf_counter() - begun)


def merge_sites(part_sites: list[Path], site: Path) -> None:
    """The part sites as one: shared files must agree; the search index and sitemap are joined.
    A folder only one part wrote moves as a whole (one rename, not a file at a time)."""
    if site.exists():
        shutil.rmtree(site)
    shutil.move(str(part_sites[0]), str(site))
    joined = {SEARCH_INDEX: [_read(site / SEARCH_INDEX)], SITEMAP: [_read(site / SITEMAP)]}
    for part in part_sites[1:]:
        for folder, dirnames, filenames in os.walk(part):
            at = Path(folder).relative_to(part)
            dirnames[:] = [name for name in sorted(dirnames) if not _moved_whole(part, site, (at / name).as_posix())]
            for name in sorted(filenames):
                _merge_file(part / at / name, site, (at / name).as_posix(), joined)
        shutil.rmtree(part)
    if all(text is not None for text in joined[SEARCH_INDEX]):
        (site / SEARCH_INDEX).write_text(_joined_search_index(joined[SEARCH_INDEX]), encoding="utf-8")
    if all(text is not None for text in joined[SITEMAP]):
        _write_sitemap(site, _joined_sitemap(joined[SITEMAP]))


def _moved_whole(part: Path, site: Path, rel: str) -> bool:
    """Move the part's folder `rel` into the site when the site has none (and no joined file is in it)."""
    if os.path.lexists(site / rel) or any(joined.startswith(rel + "/") for joined in (SEARCH_INDEX, SITEMAP)):
        return False
    os.replace(part / rel, site / rel)
    return True


def _merge_file(path: Path, site: Path, rel: str, joined: dict[str, list]) -> None:
    if rel in joined:
        joined[rel].append(_read(path))
    elif rel == SITEMAP + ".gz":
        return
    elif not (site / rel).exists():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, site / rel)
    elif (site / rel).read_bytes() != path.read_bytes():
        raise MeshgenError(f"MkDocs wrote {rel} differently in two parts of the site: "
                           f"build it in one process ({PARTS_VARIABLE}=1)")


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _joined_search_index(indexes: list[str]) -> str:
    """Material's search index ({"config", "docs"}) of every part: the docs one after another,
    written as Material writes it (compact separators, ASCII)."""
    loaded = [json.loads(text) for text in indexes]
    if any(index["config"] != loaded[0]["config"] for index in loaded):
        raise MeshgenError(f"the parts of the site disagree on the search configuration ({PARTS_VARIABLE}=1 "
                           "builds it in one process)")
    return json.dumps({"config": loaded[0]["config"], "docs": [d for index in loaded for d in index["docs"]]},
                      separators=(",", ":"), default=str)


_URLSET_END = "</urlset>"


def _joined_sitemap(sitemaps: list[str]) -> str:
    """The <url> entries of every part's sitemap, in part order, inside the first one's <urlset>
    (each part's entries end with the line break before its </urlset>: one is kept)."""
    bodies = []
    for text in sitemaps:
        opening = text.index(">", text.index("<urlset")) + 1
        bodies.append((text[:opening], text[opening:text.rindex(_URLSET_END)]))
    entries = [body.removesuffix("\n") for _, body in bodies[:-1]] + [bodies[-1][1]]
    return bodies[0][0] + "".join(entries) + sitemaps[0][sitemaps[0].rindex(_URLSET_END):]


def _write_sitemap(site: Path, text: str) -> None:
    """sitemap.xml and, like MkDocs, sitemap.xml.gz with the first part's timestamp."""
    (site / SITEMAP).write_text(text, encoding="utf-8")
    compressed = site / (SITEMAP + ".gz")
    mtime = int.from_bytes(compressed.read_bytes()[4:8], "little") if compressed.is_file() else 0
    with open(compressed, "wb") as raw, gzip.GzipFile(fileobj=raw, filename=str(compressed), mode="wb",
                                                     mtime=mtime) as packed:
        packed.write(text.encode("utf-8"))
