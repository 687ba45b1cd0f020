"""`meshgen docs serve`: the site answers on 127.0.0.1 over real HTTP, and an edit of a spec shows up
in the served page without a restart; stopping it stops MkDocs and frees the port."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from meshgen import api
from tests.docsite.conftest import mkdocs_env
from tests.support import ROOT, SPECS, copy_source


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.read().decode("utf-8") if answer.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None


def _wait_for(url: str, predicate, process: subprocess.Popen, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"meshgen docs serve exited early: {process.returncode}"
        page = _get(url)
        if page is not None and predicate(page):
            return page
        time.sleep(0.5)
    raise AssertionError(f"{url} did not show what was expected within {timeout:.0f} s")


def test_serve_answers_on_localhost_and_shows_an_edit(tmp_path):
    mesh = copy_source(SPECS, tmp_path)
    port = _free_port()
    scratch = tmp_path / "tmp"  # where the served project is generated: removed on exit
    scratch.mkdir()
    url = f"http://127.0.0.1:{port}/products/checkout/orders/v2/"
    process = subprocess.Popen([sys.executable, "-m", "meshgen", "docs", "serve", str(mesh), "--port", str(port)],
                               cwd=ROOT, env={**os.environ, **mkdocs_env(), "TMPDIR": str(scratch)}, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    failure = None
    try:
        page = _wait_for(url, lambda text: "Checkout Orders" in text, process)
        assert "sales_channel" in page.replace("&#95;", "_")
        spec = mesh / "checkout" / "orders" / "v2" / "dataproduct.yaml"
        text = spec.read_text(encoding="utf-8")
        edited = text.replace("purpose: Every order placed through web and mobile checkout, one row per order.",
                              "purpose: Edited while serving, marker 4417.")
        assert edited != text
        spec.write_text(edited, encoding="utf-8")
        _wait_for(url, lambda text: "marker 4417" in text, process)
    except AssertionError as exc:
        failure = exc
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert failure is None, f"{failure}\n--- meshgen docs serve said:\n{output}"
    assert "serving the docs site at http://127.0.0.1:" in output, output
    with socket.socket() as s:  # MkDocs was stopped with it: nothing listens on the port any more
        assert s.connect_ex(("127.0.0.1", port)) != 0
    assert not list(scratch.glob("meshgen-docs-serve-*"))


def _edit_purpose(spec, marker: str) -> None:
    text = spec.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^  purpose: .*$", f"  purpose: Edited while serving, {marker}.", text, count=1)
    assert edited != text
    spec.write_text(edited, encoding="utf-8")


def test_an_edit_made_as_the_site_first_answers_is_shown_and_a_broken_edit_keeps_the_last_good_site(
        tmp_path, monkeypatch):
    """The edit is written the moment the site answers (before the watcher has looked at the mesh
    once): it used to be taken for the state the site was built from, and never shown."""
    for name, value in mkdocs_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    mesh = copy_source(SPECS, tmp_path)
    spec = mesh / "checkout" / "orders" / "v2" / "dataproduct.yaml"
    port, stop, problems, failed = _free_port(), threading.Event(), [], []

    def serve():
        try:
            api.docs_serve(mesh, port=port, poll_seconds=0.2, stop=stop, on_problem=problems.append,
                           on_ready=lambda url: _edit_purpose(spec, "marker 5521"))
        except BaseException as exc:  # noqa: BLE001 (shown by the assertions below)
            failed.append(exc)

    server = threading.Thread(target=serve)
    server.start()
    url = f"http://127.0.0.1:{port}/products/checkout/orders/v2/"
    alive = lambda: not failed  # noqa: E731
    try:
        _wait_until(url, lambda text: "marker 5521" in text, alive)
        spec.write_text(spec.read_text(encoding="utf-8").replace("dataset: orders\n", "dataset: no_such\n", 1),
                        encoding="utf-8")
        deadline = time.monotonic() + 60
        while not problems and time.monotonic() < deadline and alive():
            time.sleep(0.2)
        assert problems and any(getattr(d, "code", "").startswith("REF") for d in problems[0]), problems
        assert "marker 5521" in (_get(url) or "")  # the last good site is still served
        _edit_purpose(spec, "marker 5522")
        spec.write_text(spec.read_text(encoding="utf-8").replace("dataset: no_such\n", "dataset: orders\n", 1),
                        encoding="utf-8")
        _wait_until(url, lambda text: "marker 5522" in text, alive)
    finally:
        stop.set()
        server.join(timeout=60)
    assert not server.is_alive() and not failed, failed
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
    assert not list(tmp_path.glob("meshgen-docs-serve-*"))


def _wait_until(url: str, predicate, alive, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        page = _get(url)
        if page is not None and predicate(page):
            return page
        time.sleep(0.3)
    raise AssertionError(f"{url} did not show what was expected within {timeout:.0f} s (or serving failed)")
