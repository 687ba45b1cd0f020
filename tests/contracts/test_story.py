"""The README's contract story is true: replay it and compare every output block."""

from __future__ import annotations

import re

from tests.conftest import ROOT, need_executable
from tests.contracts.story import STEPS, run_story


def test_story_runs_and_readme_shows_its_real_output(tmp_path):
    need_executable("git")
    results = run_story(tmp_path / "repo")
    assert [code for _, code, _ in results] == [expected for _, _, expected in STEPS]
    by_label = {label: text for label, _, text in results}
    assert "used by data://marketing/attribution/v1 (marketing-team, input port 'orders')" in by_label["drop"]
    assert "error[VERSION005]" in by_label["retire-early"]
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"<!-- story:([\w-]+) -->\n```text\n\$ meshgen check --against HEAD\n(.*?)```", readme, re.S)
    assert {label for label, _ in blocks} >= {"drop", "v2", "retire-early", "migrate", "retire"}
    for label, shown in blocks:
        assert shown.rstrip() == by_label[label].rstrip(), f"README block story:{label} is stale"
