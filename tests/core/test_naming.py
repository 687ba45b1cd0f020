"""meshgen.naming: words and cases, keyword avoidance judged by the languages themselves
(Python's compiler and pydantic), and collision scopes."""

from __future__ import annotations

import keyword

import pytest

from meshgen.naming import (
    KEYWORDS,
    NameScope,
    camel_case,
    identifier,
    kebab_case,
    pascal_case,
    safe,
    snake_case,
    upper_camel_case,
    upper_snake,
    words,
)


@pytest.mark.parametrize("name", ["order_lines", "orderLines", "OrderLines", "order-lines", "ORDER_LINES"])
def test_every_spelling_has_the_same_words(name):
    assert words(name) == ["order", "lines"]
    assert (snake_case(name), kebab_case(name), camel_case(name), upper_camel_case(name), upper_snake(name)) == \
        ("order_lines", "order-lines", "orderLines", "OrderLines", "ORDER_LINES")


def test_acronyms_and_digits():
    assert words("HTTPServer2") == ["http", "server", "2"]
    assert pascal_case("order_ID") == "OrderID"  # type names keep the letters as written
    assert pascal_case("1st") == "_1st" and pascal_case("--") == "X"
    assert identifier("a-b.c") == "a_b_c" and identifier("9x") == "_9x"


@pytest.mark.filterwarnings("error")  # pydantic warns about a field in its protected namespace
def test_python_keywords_are_avoided_as_python_and_pydantic_see_them():
    pydantic = pytest.importorskip("pydantic")
    names = sorted(KEYWORDS["python"] | {"model_config", "model_dump", "schema_json", "_private", "__"})
    assert set(keyword.kwlist) | set(keyword.softkwlist) <= KEYWORDS["python"]
    fields = {}
    for name in names:
        chosen = safe(name, "python")
        assert chosen.isidentifier() and not keyword.iskeyword(chosen) and not keyword.issoftkeyword(chosen)
        compile(f"{chosen} = 1\n", "<generated>", "exec")  # a keyword would be a SyntaxError
        fields[chosen] = (int, 0)
    model = pydantic.create_model("Everything", **fields)  # pydantic refuses a name that shadows BaseModel
    assert set(model.model_fields) == set(fields)


def test_sql_keywords_come_from_the_dialects():
    from meshgen.dialects import reserved_anywhere

    assert KEYWORDS["sql"] == frozenset(reserved_anywhere())
    assert safe("show", "sql") == "show_" and safe("SELECT", "sql") == "SELECT_"


def test_scopes_suffix_collisions_fold_case_and_avoid_keywords():
    scope = NameScope(["id"])
    assert [scope.claim(n) for n in ("id", "id", "name")] == ["id_2", "id_3", "name"]
    folded = NameScope(fold=True)
    assert [folded.claim(n) for n in ("Order", "order")] == ["Order", "order_2"]
    proto = NameScope(language="proto")
    assert proto.claim("message") == "message_"
