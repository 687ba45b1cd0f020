"""A big site rendered and built part by part: each part's pages rendered by a forked worker that
then runs that part's `mkdocs build`, all parts at once.

docsite/mkdocs_parts.py splits the pages into runs that a few `mkdocs build` processes build at
once; before this, meshgen rendered every page (and its picture) in one process first, so one
core rendered for a third of the build while the other idled. Here, after the mesh is loaded and
what every page reads is computed (docsite.project.Project), one worker per part is forked: it
renders its part's pages, lays out their pictures, writes them into the staged project, and runs
its part's `mkdocs build` as soon as they are written, while the other workers still render. The
merged site is the same bytes as one build, and the project the same files as `project_files`.

The parts are chosen before any page is rendered, by each page's estimated size
(`Project.estimated_size`). Every file a worker writes exists before the first worker starts
(empty), so each MkDocs process walks the same file names: the other parts' pages and pictures
are excluded from it (their contents are never read), and a worker fills in its own files in
place.
"""

from __future__ import annotations

import os
import posixpath
import resource
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from meshgen import forked
from meshgen.docsite import mkdocs_parts
from meshgen.docsite.pictures import DOCS_DIR

if TYPE_CHECKING:
    from meshgen.docsite.project import Project


@dataclass
class PartsJob:
    """What a forked worker inherits: the project, where it is staged, the parts, the MkDocs command."""

    project: "Project"
    stage: Path
    parts: list[list[str]]
    configs: list[Path]
    command: list[str]
    env: dict[str, str]


@dataclass
class PartTimes:
    """What one worker cost (benchmarks/bench_docs.py prints it): its own CPU rendering its pages,
    its `dot` processes' CPU, the wall time to its last page written, then its MkDocs process."""

    pages: int
    render_cpu_s: float
    pictures_cpu_s: float
    render_wall_s: float
    mkdocs: mkdocs_parts.PartRun


_JOB: PartsJob | None = None  # the job a forked worker inherited
LAST_TIMES: list[PartTimes] = []  # the workers of the last render_and_build in this process, for benchmarks


def wanted(project: "Project") -> bool:
    """Whether the site is big enough for more than one MkDocs process, and workers can be forked."""
    return (mkdocs_parts.part_count(len(project.page_names())) > 1
            and forked.can_fork())


def planned_parts(project: "Project", stage: Path) -> list[list[str]]:
    """Stage the project's files (mkdocs.yml, the hook, the style sheet; every page and picture as
    an empty file) and cut its pages, in MkDocs' order, into one run per MkDocs process."""
    fixed = project.fixed_files()
    for rel in [*fixed, *(f"{DOCS_DIR}/{page}" for page in project.page_names()), *project.picture_files()]:
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        (stage / rel).write_text(fixed.get(rel, ""), encoding="utf-8")
    pages = mkdocs_parts.page_order(stage / DOCS_DIR)
    parts = mkdocs_parts.split_pages(pages, [project.estimated_size(page) for page in pages],
                                     mkdocs_parts.part_count(len(pages)))
    if len(parts) < 2:  # one run after all: the project is rendered and built as usual, from nothing
        for entry in stage.iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    return parts


def render_and_build(project: "Project", stage: Path, parts: list[list[str]], command: list[str],
                     env: dict[str, str], site_dir: str) -> tuple[dict[str, str], list[mkdocs_parts.PartRun]]:
    """Each part rendered and built by a worker of its own (the stage as `planned_parts` left it);
    the sites merged into stage/site_dir when every MkDocs process succeeded. Returns the
    project's files and each MkDocs process's run."""
    from meshgen.lineage.dot import warm_up
    from meshgen.load.collector import FrozenRun

    global _JOB
    warm_up()  # what every worker's `dot` processes share, found once
    configs = mkdocs_parts.write_part_configs(stage, site_dir, parts)
    _JOB = PartsJob(project, stage, parts, configs, command, env)
    try:
        with FrozenRun() as run, forked.pool(len(parts)) as pool:
            run.keep()  # the loaded mesh stays out of the workers' collections (and so its pages unshared)
            done = [future.result() for future in [pool.submit(_render_and_build_part, k) for k in range(len(parts))]]
    finally:
        _JOB = None
    for config in configs:
        config.unlink()
    LAST_TIMES[:] = [times for _, times in done]
    runs = [times.mkdocs for _, times in done]
    if all(run.returncode == 0 for run in runs):
        mkdocs_parts.merge_sites(mkdocs_parts.part_sites(stage, site_dir, len(parts)), stage / site_dir)
    files = dict(project.fixed_files())
    for written, _ in done:
        files.update({rel: (stage / rel).read_text(encoding="utf-8") for rel in written})
    return dict(sorted(files.items())), runs


def _render_and_build_part(k: int) -> tuple[list[str], PartTimes]:
    """In a worker: render part k's pages and pictures into the stage, then build them with MkDocs."""
    job = _JOB
    pages = set(job.parts[k])
    begun = time.perf_counter()
    written = job.project.render_pages(pages)
    for rel, text in written.items():
        with open(job.stage / rel, "w", encoding="utf-8") as out:  # in place: the file names never change
            out.write(text)
    folders = {posixpath.dirname(f"{DOCS_DIR}/{page}") for page in pages}
    for rel in job.project.picture_files():  # a picture `dot` could not lay out: no file, as in one build
        if rel not in written and posixpath.dirname(rel) in folders:
            os.remove(job.stage / rel)
    rendered = time.perf_counter() - begun, resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    run = mkdocs_parts.finish_part(*mkdocs_parts.start_part(job.stage, job.command, job.env, job.configs[k]))
    wall, own, children = rendered
    return sorted(written), PartTimes(len(pages), own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime,
                                      wall, run)
