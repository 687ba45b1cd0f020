"""The seed's story, run for real in a throwaway git repository (examples/story/).

checkout drops user_id → marketing's consumer breaks → checkout publishes v2 beside v1 →
retiring v1 too early fails → marketing migrates → v1 retires cleanly.
Used by tests/contracts/test_story.py, which also checks that README.md shows these outputs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

STORY = Path(__file__).resolve().parents[2] / "examples" / "story"

# (label, step folder to copy over the mesh, expected exit code, commit when it passes)
STEPS = [
    ("drop", "1-checkout-drops-user-id", 1),
    ("v2", "2-checkout-publishes-v2", 0),
    ("retire-early", "4-checkout-retires-v1", 1),
    ("undo-retire", "2-checkout-publishes-v2", 0),
    ("migrate", "3-marketing-migrates", 0),
    ("retire", "4-checkout-retires-v1", 0),
]


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "story", "GIT_AUTHOR_EMAIL": "story@example.com",
           "GIT_COMMITTER_NAME": "story", "GIT_COMMITTER_EMAIL": "story@example.com"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def meshgen(repo: Path, *args: str) -> tuple[int, str]:
    env = {**os.environ, "MESHGEN_TODAY": "2026-11-26", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "meshgen", *args], cwd=repo, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return done.returncode, done.stdout


def run_story(repo: Path) -> list[tuple[str, int, str]]:
    """Each step's (label, exit code, output of `meshgen check --against HEAD`)."""
    shutil.copytree(STORY / "mesh", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "checkout/orders v1 and marketing/attribution v1")
    out = []
    for label, step, _ in STEPS:
        shutil.copytree(STORY / "steps" / step, repo, dirs_exist_ok=True)
        code, text = meshgen(repo, "check", "--against", "HEAD")
        out.append((label, code, text))
        if code == 0:
            git(repo, "add", ".")
            git(repo, "commit", "-q", "--allow-empty", "-m", step)
    return out
