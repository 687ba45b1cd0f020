"""The template sandbox's short way for dataclass fields (render.py) answers as Jinja's immutable
sandbox does: data fields are read, anything else still goes through the sandbox's checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from meshgen.render import _sandbox


@dataclass
class Row:
    name: str
    items: list = field(default_factory=list)
    hook: Any = None
    _secret: str = "hidden"


TEMPLATES = [
    "{{ r.name }}", "{{ r.items }}", "{{ r.items | length }}", "{{ r._secret }}", "{{ r.__class__ }}",
    "{{ r.__dict__ }}", "{{ r.missing }}", "{{ r.hook }}", "{{ r.hook() }}", "{{ r.items.append }}",
    "{{ r.items.append(1) }}", "{{ r.name.format(1) }}", "{{ r.name.upper() }}", "{{ r.__dataclass_fields__ }}",
    "{{ cls.name }}", "{{ cls.__mro__ }}", "{% for x in r.items %}{{ x }}{% endfor %}",
    # a loop's counters are read the short way too; its methods and internals are not
    "{% for x in r.items %}{{ loop.last }} {{ loop.first }} {{ loop.index }} {{ loop.index0 }} {{ loop.length }} "
    "{{ loop.revindex }} {{ loop.revindex0 }} {{ loop.depth }} {{ loop.previtem }} {{ loop.nextitem }};{% endfor %}",
    "{% for x in r.items %}{{ loop.cycle('a', 'b') }}{{ loop.changed(x) }}{% endfor %}",
    "{% for x in r.items %}{{ loop._iterator }}{% endfor %}", "{% for x in r.items %}{{ loop.__class__ }}{% endfor %}",
    "{% for x in r.items recursive %}{{ loop.depth0 }}{{ loop.cycle.__globals__ }}{% endfor %}",
]


def _outcome(env, template: str, **values) -> str:
    try:
        return "ok: " + env.from_string(template).render(**values)
    except Exception as exc:  # the kind of failure is what must agree
        return f"{type(exc).__name__}"


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_short_way_agrees_with_the_sandbox(template):
    values = {"r": Row("a", [1, 2], hook="{0.__class__}".format), "cls": Row}
    mine, theirs = _sandbox()(), ImmutableSandboxedEnvironment()
    assert _outcome(mine, template, **values) == _outcome(theirs, template, **values)


def test_private_fields_and_internals_are_still_refused():
    env = _sandbox()()
    row = Row("a")
    assert env.from_string("{{ r._secret }}").render(r=row) == ""  # undefined, as the sandbox makes it
    with pytest.raises(Exception, match="unsafe|SecurityError|access"):
        env.from_string("{{ r.__class__.__mro__[1].__subclasses__() }}").render(r=row)
