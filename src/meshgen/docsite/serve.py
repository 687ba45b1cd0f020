"""`meshgen docs serve`: the docs site on 127.0.0.1, regenerated whenever the mesh changes.

The project is generated into a private temporary folder (the build output is not touched) and
`mkdocs serve` serves it with live reload. Every `poll_seconds` the mesh's inputs are looked at
(product files, meshgen.yaml, governance.yaml, template overrides: every *.yaml, *.yml and *.j2
under the mesh root outside its output folder); when one changed, the mesh is loaded again and
only the pages whose text changed are rewritten, so MkDocs rebuilds and the browser reloads.
A mesh with errors keeps the last good site and prints the errors. Ctrl-C (or SIGTERM) stops
MkDocs and removes the temporary folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from meshgen.docsite.mkdocs_build import MkDocsFailed, reproducible_environment, serve_command
from meshgen.docsite.project import project_files

WATCHED = (".yaml", ".yml", ".j2")


def serve(path: Path | None, *, port: int, load: Callable, on_ready: Callable[[str], None] | None = None,
          on_problem: Callable[[list], None] | None = None, poll_seconds: float = 0.5,
          stop: threading.Event | None = None) -> None:
    """Serve until interrupted (or until `stop` is set, for a caller serving from a thread).
    `load()` returns (mesh, diagnostics) and raises for unreadable input."""
    from meshgen.errors import ViolationsFound

    loading_since = time.time_ns() - 1_000_000_000  # file times lag the clock by a tick: a second of margin
    mesh, diagnostics = load()
    if diagnostics.has_errors:
        raise ViolationsFound("the mesh has errors; fix them before serving its docs", diagnostics.sorted())
    with tempfile.TemporaryDirectory(prefix="meshgen-docs-serve-") as scratch:
        project = Path(scratch)
        sync_project(project, _files(mesh))
        process = subprocess.Popen(serve_command(project, port), cwd=project, env=reproducible_environment(),
                                   stdin=subprocess.DEVNULL)
        previous = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_until_up(process, url)
            if on_ready:
                on_ready(url)
            _watch(project, process, Reload(mesh, load, on_problem), poll_seconds, loading_since, stop)
        finally:
            _stop(process)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _files(mesh) -> dict[str, str]:
    templates = mesh.root / mesh.config.templates if mesh.config.templates else None
    from meshgen.planner import output_dir

    return project_files(mesh, build_output=output_dir(mesh, None), project_in_output=None, override_dir=templates)


def sync_project(project: Path, files: dict[str, str]) -> list[str]:
    """Make the folder hold exactly `files`, rewriting only those whose text changed; returns them."""
    from meshgen.output import safe_relpath, write_file_atomic

    changed = []
    for rel, text in files.items():
        dest = project / safe_relpath(rel)
        try:
            same = dest.read_text(encoding="utf-8") == text
        except OSError:
            same = False
        if not same:
            write_file_atomic(dest, text)
            changed.append(rel)
    for existing in sorted(project.rglob("*")):
        rel = existing.relative_to(project).as_posix()
        if existing.is_file() and rel not in files and not rel.startswith("site/"):
            existing.unlink()
            changed.append(rel)
    return changed


def inputs_fingerprint(mesh) -> tuple:
    """(path, mtime, size) of every file the site is generated from."""
    from meshgen.planner import output_dir

    root = Path(mesh.root)
    out = output_dir(mesh, None).resolve()
    seen = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != out)
        for name in sorted(names):
            if name.endswith(WATCHED):
                try:
                    st = (here / name).stat()
                except OSError:
                    continue
                seen.append((str(here / name), st.st_mtime_ns, st.st_size))
    return tuple(seen)


class Reload:
    """Load the mesh again and regenerate the project; a mesh with errors (or a broken template
    override) is reported through `on_problem` and leaves the last good project in place."""

    def __init__(self, mesh, load: Callable, on_problem: Callable[[list], None] | None):
        self.mesh, self.load, self.on_problem = mesh, load, on_problem  # mesh: the last good one

    def __call__(self, project: Path) -> None:
        from meshgen.errors import MeshgenError

        try:
            mesh, diagnostics = self.load()
            if diagnostics.has_errors:
                return self._problem(diagnostics.sorted())
            sync_project(project, _files(mesh))
            self.mesh = mesh
        except MeshgenError as exc:
            self._problem(exc.diagnostics or [str(exc)])

    def _problem(self, diagnostics: list) -> None:
        if self.on_problem:
            self.on_problem(diagnostics)


def _watch(project: Path, process: subprocess.Popen, reload: Reload, poll_seconds: float,
           loading_since: int, stop: threading.Event | None) -> None:
    """Regenerate the project whenever an input changes. An input written since the first load
    began (while it ran, or while MkDocs started) may be missing from the site: that counts as a
    change (an edit made as the site first answered was otherwise never shown)."""
    fingerprint = inputs_fingerprint(reload.mesh)
    if any(mtime >= loading_since for _, mtime, _ in fingerprint):
        fingerprint = ()
    stop = stop or threading.Event()  # never set: until interrupted (a signal interrupts the wait)
    while not stop.wait(poll_seconds):
        if process.poll() is not None:
            raise MkDocsFailed(f"mkdocs serve stopped (exit code {process.returncode})")
        now = inputs_fingerprint(reload.mesh)  # taken before loading: an edit during the load is seen next time
        if now != fingerprint:
            fingerprint = now
            reload(project)


def _wait_until_up(process: subprocess.Popen, url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MkDocsFailed(f"mkdocs serve exited with code {process.returncode} before serving {url} "
                               "(is the port in use? choose another with --port)")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise MkDocsFailed(f"mkdocs serve did not answer on {url} within {timeout:.0f} seconds")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # mkdocs serve shuts its server down on Ctrl-C
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread() and sys.platform != "win32"
