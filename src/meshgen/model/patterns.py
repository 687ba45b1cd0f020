"""Regular expressions written in specs and policies, evaluated in linear time.

A `pattern` is untrusted input: Python's backtracking `re` takes exponential time on
`^(a+)+$` against `aaaa…!`, so a spec could hang `meshgen validate`. Patterns are compiled
and matched by RE2 (google-re2), whose automata run in time linear in the text. That also
defines the accepted syntax: RE2's, the common ground of JSON Schema's ECMA-262 dialect,
pydantic's Rust engine and the warehouses' regex functions. Backreferences and lookaround
(which no linear engine can run) are refused with the reason.
"""

from __future__ import annotations

import functools
import re

MAX_PATTERN_LENGTH = 1000
_BACKTRACKING_ONLY = re.compile(r"\(\?<?[=!]|\\[1-9]")  # lookaround, backreferences


class PatternError(ValueError):
    pass


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str):
    """The compiled RE2 program for `pattern`; PatternError says why it is not accepted."""
    import re2

    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"a pattern is at most {MAX_PATTERN_LENGTH} characters")
    options = re2.Options()
    options.log_errors = False  # RE2 would print its own message on stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        if _BACKTRACKING_ONLY.search(pattern):
            reason += " (RE2 syntax: no backreferences or lookaround, which need backtracking)"
        raise PatternError(reason) from None


def pattern_search(pattern: str, text: str) -> bool:
    """`pattern` matches somewhere in `text` (JSON Schema's `pattern` semantics)."""
    return compile_pattern(pattern).search(text) is not None


def pattern_fullmatch(pattern: str, text: str) -> bool:
    return compile_pattern(pattern).fullmatch(text) is not None
