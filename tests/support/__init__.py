"""Test support shared by every test folder: where the inputs are and private copies of them
(paths), the real components integration tests need (components: need, need_module, tool_bin,
...), and the golden-directory comparison with its update command (golden)."""

from tests.support.components import IN_CI, need, need_executable, need_module, need_shared, npm_bin, tool_bin, tool_venv
from tests.support.golden import UPDATE_ENV, assert_same_tree
from tests.support.paths import (
    FULL_VOCABULARY, FULL_VOCABULARY_TODAY, REFERENCE, ROOT, SHARED, SPECS, copy_source, pinned_today,
)

__all__ = [
    "FULL_VOCABULARY", "FULL_VOCABULARY_TODAY", "IN_CI", "REFERENCE", "ROOT", "SHARED", "SPECS", "UPDATE_ENV",
    "assert_same_tree", "copy_source", "need", "need_executable", "need_module", "need_shared", "npm_bin", "pinned_today",
    "tool_bin", "tool_venv",
]
