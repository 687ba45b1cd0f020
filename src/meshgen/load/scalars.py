"""Which value a YAML scalar is, by YAML 1.2.

A plain scalar (unquoted, untagged) is resolved by the table below: YAML 1.2's core schema as
ruamel.yaml's 1.2 resolver reads it, so `no`, `on` and `y` are strings, `010` is 10, `0o10` is
8, there are no sexagesimals (`12:30:00` is text) and a date stays text. Only a scalar whose
first character starts one of these forms is matched against them, and the words of booleans
and nulls are looked up: most scalars of a product file (names, descriptions, types) are text
found by two dictionary look-ups.
tests/load/test_scalars.py checks the table against ruamel.yaml's own resolver and constructor.
"""

from __future__ import annotations

import re

CORE_PREFIX = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, MERGE, SEQ, MAP = (
    CORE_PREFIX + t for t in ("str", "int", "float", "bool", "null", "timestamp", "merge", "seq", "map"))
CORE_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, SEQ, MAP})

_DIGITS = "0123456789"
_FLOAT = (FLOAT, re.compile(r"""[-+]?(?:
      [0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?   # 1.5, 1., 1.5e3
    | [0-9][0-9_]*[eE][-+]?[0-9]+                  # 1e3
    | \.[0-9_]+(?:[eE][-+][0-9]+)?                 # .5, .5e+3 (a signed exponent only)
    | \.(?:inf|Inf|INF))\Z
    | \.(?:nan|NaN|NAN)\Z""", re.X))
_INT = (INT, re.compile(r"[-+]?(?:0b[01_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)\Z"))
_TIMESTAMP = (TIMESTAMP, re.compile(r"""(?:[0-9]{4}-[0-9]{2}-[0-9]{2}
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[\ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?
      (?:[\ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)\Z""", re.X))
# `<<` (a merge key), `=` (a "value" key) and `!`, `&`, `*` resolve to tags meshgen refuses.
_MERGE = (MERGE, re.compile(r"<<\Z"))
_VALUE = (CORE_PREFIX + "value", re.compile(r"=\Z"))
_INDICATOR = (CORE_PREFIX + "yaml", re.compile(r"[!&*]\Z"))

# Booleans and nulls are a few whole words: looked up, so that the many names and descriptions
# starting with t, f or n (`type`, `name`, `field 1`) cost no regular expression.
EXACT: dict[str, str] = {
    **dict.fromkeys(("true", "True", "TRUE", "false", "False", "FALSE"), BOOL),
    **dict.fromkeys(("~", "null", "Null", "NULL", ""), NULL),
}
# first character -> the other forms it may start, in the order they are tried
FIRST: dict[str, tuple] = {
    **{c: (_FLOAT, _INT, _TIMESTAMP) for c in _DIGITS},
    **{c: (_FLOAT, _INT) for c in "-+"},
    ".": (_FLOAT,),
    "<": (_MERGE,),
    "=": (_VALUE,),
    **{c: (_INDICATOR,) for c in "!&*"},
}


def resolve_plain(value: str) -> str:
    """The tag of a plain scalar written as `value`: a plain string unless `value` is in EXACT
    or its first character is in FIRST."""
    exact = EXACT.get(value)
    if exact is not None:
        return exact
    for tag, pattern in FIRST.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return STR


def yaml_int(text: str) -> int:
    """The integer a scalar tagged (or resolved) int stands for; ValueError/IndexError if none."""
    digits = text.replace("_", "")
    sign = -1 if digits[0] == "-" else 1
    if digits[0] in "+-":
        digits = digits[1:]
    if digits == "0":
        return 0
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits)


class YamlFloat(float):
    """A YAML float that remembers how it was written, so a bound like 99999999999999999.99
    keeps every digit where the model reads it exactly (meshgen.model.models.Number)."""

    text: str

    def __new__(cls, value: float, text: str):
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __reduce__(self):  # copies and pickles keep the text
        return YamlFloat, (float(self), self.text)


_INF = float("inf")
_NAN = -_INF / _INF  # the quiet NaN C99 makes of -inf/inf, as ruamel.yaml's constructor does


def yaml_float(text: str) -> float:
    """The float a scalar tagged (or resolved) float stands for; ValueError/IndexError if none."""
    digits = text.replace("_", "").lower()
    sign = -1 if digits[0] == "-" else 1
    if digits[0] in "+-":
        digits = digits[1:]
    if digits == ".inf":
        return sign * _INF
    if digits == ".nan":
        return _NAN
    return sign * float(digits)
