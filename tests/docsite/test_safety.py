"""Every string of a spec is shown as text on the docs site: no script, event handler or
javascript: link from a spec survives, and Jinja-looking text is printed, never evaluated.

The hostile mesh (tests/docsite/hostile_mesh) puts such strings in every field the pages show; its
site is built by the real MkDocs + Material and read back with an HTML parser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from meshgen.docsite import escape
from tests.docsite.conftest import parse_page


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_script_or_event_handler_from_a_spec_reaches_any_page(hostile_site):
    site = hostile_site / "build" / "docs" / "site"
    for page in _pages(site):
        parsed = parse_page(page)
        for attrs, body in parsed.scripts:
            # Material's own: its bundle from assets/, its inline palette, scope and config blocks;
            # every hostile string calls alert()
            assert "assets/javascripts/" in attrs.get("src", "assets/javascripts/"), (page, attrs)
            assert "alert" not in body, (page, body[:200])
        for tag, attrs in parsed.elements:
            assert tag not in ("iframe", "object", "embed", "style", "img") or "alert" not in str(attrs), (page, tag)
            for name, value in attrs.items():
                assert not name.startswith("on"), (page, tag, name, value)
                if name in ("href", "src", "action", "formaction", "xlink:href"):
                    assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), \
                        (page, tag, value)


def test_the_hostile_strings_show_as_text(hostile_site):
    site = hostile_site / "build" / "docs" / "site"
    text = " ".join(parse_page(site / "products" / "qa" / "hostile_html" / "v1" / "index.html").text)
    for shown in ("<script>alert('title')</script>", "<img src=x onerror=alert('title-img')>",
                  "<script>alert('purpose')</script>", "<img src=x onerror=\"alert('img')\">",
                  "<script>alert('owner')</script>", "<img src=x onerror=alert('channel')>",
                  "records<b>x<b>", "<img_onerror=alert(1)>", "inner<script>", "<script>alert('field')</script>",
                  "javascript:alert('port')", "</code></pre><script>alert(\"sql\")</script>",
                  "{% dot x.svg digraph { a } %}", "| pipe |", "<script>alert('waiver')</script>"):
        assert shown in text, shown
    home = " ".join(parse_page(site / "index.html").text)
    assert "</title><script>alert('mesh name')</script>" in home  # the mesh name, as the page's heading


def test_a_spec_cannot_place_a_lineage_picture(hostile_site):
    """meshgen's MkDocs hook puts a page's lineage.svg where its marker <img> is; a description
    that holds the marker's text shows it as text, and the page keeps its one picture."""
    from meshgen.docsite.mkdocs_hook import MARKER

    page = hostile_site / "build" / "docs" / "site" / "products" / "qa" / "hostile_html" / "v1" / "index.html"
    assert MARKER in " ".join(parse_page(page).text)
    html = page.read_text(encoding="utf-8")
    assert html.count('<svg class="meshgen-lineage-graph"') == 1 and MARKER not in html


def test_jinja_in_a_spec_is_printed_not_evaluated(hostile_site):
    site = hostile_site / "build" / "docs" / "site"
    text = " ".join(parse_page(site / "products" / "qa" / "hostile_html" / "v1" / "index.html").text)
    assert "Jinja {{ 7 * 7 }} and {% raw %}block{% endraw %} and {# comment #} stay as written" in text
    assert "{{ 7 * 7 }}" in text and " 49" not in text
    assert "{{ config." in text  # not the renderer's config


def test_links_in_descriptions_keep_only_http_and_mailto(hostile_site):
    page = parse_page(hostile_site / "build" / "docs" / "site" / "products" / "qa" / "hostile_html" / "v1" / "index.html")
    hrefs = [a.get("href") for tag, a in page.elements if tag == "a" and a.get("href")]
    assert "https://example.com/docs" in hrefs  # the real link in the purpose
    assert not any("alert" in h for h in hrefs if not h.startswith("#")), hrefs  # an anchor slug may say alert
    assert all(not h.startswith(("javascript", "data")) for h in hrefs)


def test_the_page_title_and_navigation_hold_no_markup(hostile_site):
    site = hostile_site / "build" / "docs" / "site"
    head = (site / "index.html").read_text(encoding="utf-8").split("</head>")[0]  # an inline SVG has titles too
    [title] = re.findall(r"<title>(.*?)</title>", head, re.S)
    assert "<" not in title and ">" not in title and "alert" in title  # Material prints site_name unescaped
    # a product page is outside the navigation: its title is given, never its heading's (hostile) text
    product = site / "products" / "qa" / "hostile_html" / "v1" / "index.html"
    [title] = re.findall(r"<title>(.*?)</title>", product.read_text(encoding="utf-8").split("</head>")[0], re.S)
    assert title.startswith("hostile_html v1 - ") and "<" not in title, title


@pytest.mark.parametrize("value", ["<script>x</script>", "a|b", "[x](javascript:y)", "{: onclick=z }", "`c`",
                                   "*e* _u_", "&amp;", "line\nbreak\u2028sep", "{% dot a %}", "::uml::"])
def test_inline_text_has_no_markdown_or_html_syntax_left(value):
    out = escape.text(value)
    assert not set(out) & set("<>[]{}|`*_:%\n\u2028") and "&amp;" not in out.replace("&#38;", "")
    import html

    assert html.unescape(out) == " ".join(value.replace("\u2028", " ").split())


def test_only_http_and_mailto_urls_become_links():
    assert escape.safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    assert escape.safe_url("mailto:team@example.com") == "mailto:team@example.com"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:x", "data:text/html,x", "//evil.example",
                "https://x.example/\" onclick=\"y", "vbscript:x", "/relative", "https://a b"):
        assert escape.safe_url(bad) is None, bad
        assert "<a" not in escape.link(bad)
