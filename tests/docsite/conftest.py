"""The docs site's tests build real sites: MkDocs with the Material theme from the `mkdocs` tool
venv (scripts/venvs/mkdocs.txt), named to meshgen through MESHGEN_MKDOCS."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.support import FULL_VOCABULARY, FULL_VOCABULARY_TODAY, ROOT, SPECS, copy_source, tool_bin

HOSTILE_MESH = Path(__file__).parent / "hostile_mesh"


def meshgen(*args, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess (its own PYTHONHASHSEED, environment and exit code)."""
    return subprocess.run([sys.executable, "-m", "meshgen", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd or ROOT, stdin=subprocess.DEVNULL)


def mkdocs_env() -> dict:
    return {"MESHGEN_MKDOCS": str(tool_bin("mkdocs")), "MESHGEN_TODAY": FULL_VOCABULARY_TODAY}


def built_site(tmp: Path, source: Path, *, build_first: bool = True) -> Path:
    """A copy of `source` (a mesh folder or one product file), built, then its docs built with
    `mkdocs build --strict`; returns the copy's root."""
    copy = copy_source(source, tmp)  # a product file alone is a mesh of one
    root = copy if copy.is_dir() else copy.parent
    env = mkdocs_env()
    if build_first:
        done = meshgen("build", copy, "-q", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    done = meshgen("docs", "build", copy, "--strict", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return root


@pytest.fixture(scope="module")
def example_site(tmp_path_factory) -> Path:
    """The example mesh (specs/), built and documented: returns the mesh copy's root."""
    return built_site(tmp_path_factory.mktemp("example"), SPECS)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory.mktemp("hostile"), HOSTILE_MESH, build_first=False)


@pytest.fixture(scope="module")
def full_vocabulary_site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("full")
    return built_site(tmp, FULL_VOCABULARY)


class PageParser(HTMLParser):
    """Every element with its attributes, every <script>, and the visible text of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.text: list[str] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def copy_tree(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("build"))
    return dest
