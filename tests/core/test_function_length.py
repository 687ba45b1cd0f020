"""No function in src/ is over 60 lines unless a comment says why (the team guide's rule).

A long function is allowed when the line just above its `def` (or its first decorator) is a
comment starting `# long:` followed by the reason. Run this file as a script to list every
function over the limit with its length:  .venv/bin/python tests/core/test_function_length.py
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
LIMIT = 60
REASON = "# long:"


def long_functions(root: Path = SRC) -> list[tuple[str, int, str, int, bool]]:
    """(file, line, name, length, justified) of every function over LIMIT lines under `root`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            length = node.end_lineno - node.lineno + 1
            if length <= LIMIT:
                continue
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            above = lines[first - 2].strip() if first >= 2 else ""
            justified = above.startswith(REASON) and len(above) > len(REASON) + 3
            found.append((path.relative_to(root.parent).as_posix(), node.lineno, node.name, length, justified))
    return found


def test_no_function_is_over_the_limit_without_a_reason():
    unjustified = [f"{file}:{line} {name} is {length} lines" for file, line, name, length, ok in long_functions() if not ok]
    assert not unjustified, (
        f"functions over {LIMIT} lines: split them, or put `{REASON} <why>` on the line above the def:\n  "
        + "\n  ".join(unjustified))


def test_the_check_sees_a_long_function_and_its_reason(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(LIMIT))
    (tmp_path / "long.py").write_text(f"def plain():\n{body}\n\n# long: a table kept in one place\n"
                                      f"@staticmethod\ndef explained():\n{body}\n\ndef short():\n    return 1\n")
    found = {name: (length, ok) for _, _, name, length, ok in long_functions(tmp_path)}
    assert found == {"plain": (LIMIT + 1, False), "explained": (LIMIT + 1, True)}


if __name__ == "__main__":
    for file, line, name, length, ok in long_functions():
        print(f"{file}:{line} {name} {length} lines{' (justified)' if ok else ''}")
