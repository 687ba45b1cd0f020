"""Spec text made safe for the docs site's Markdown pages, which MkDocs turns into HTML.

Every string from a spec is untrusted and reaches a page in one of four ways:

- `text(value)`: inline text (a table cell, a heading, a list item, an HTML attribute). ASCII
  punctuation becomes a numeric character reference (`<` → `&#60;`), so neither HTML (`<script>`,
  `onerror=`) nor Markdown (`*`, `[link](javascript:...)`, `{: attr_list }`, `|` in a table) nor
  a Markdown extension's preprocessor (`{% dot %}`, `::uml::`) sees syntax in it; the browser
  shows the characters as written. Line breaks and control characters become one space.
- `code(value, language)`: a raw `<pre><code>` block, escaped the same way (sample queries, examples).
- `link(url, label)`: an `<a href>` only for http(s) and mailto URLs; anything else is shown as text.
- `description(value)`: Markdown written by a team (purpose, usage, a field's description),
  rendered to HTML with Python-Markdown and cleaned by nh3's allow-list (no scripts, no event
  attributes, links only to http(s)/mailto), then escaped like `text` where MkDocs could still
  read syntax. Without those packages (the core install) it is shown as text: `MARKDOWN_AVAILABLE`.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

from markupsafe import Markup

# The characters left as they are: letters, digits, space and a few that no Markdown or HTML
# syntax (nor a Python-Markdown extension) starts with inside a line.
_KEEP = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,'-")
_SAFE_URL = re.compile(r"(?:https?://[^\s<>\"'`{}|\\^]+|mailto:[^\s<>\"'`{}|\\^/:]+@[^\s<>\"'`{}|\\^/:]+)", re.I)

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol",
    "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
_INLINE_TAGS = {"a", "abbr", "b", "br", "code", "del", "em", "i", "strong", "sub", "sup"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_URL_SCHEMES = {"http", "https", "mailto"}


# Unicode's control characters (category Cc) and the line and paragraph separators (Zl, Zp)
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_WHITESPACE = re.compile(r"\s+")
# every ASCII character outside _KEEP → its numeric character reference (str.translate: one C loop)
_REFERENCES = {code: f"&#{code};" for code in range(128) if chr(code) not in _KEEP}


def _plain(value: Any) -> str:
    """One line: every line break, tab and other control or format character is a space."""
    return _WHITESPACE.sub(" ", _LINE_BREAKING.sub(" ", str(value)))


def _references(value: str) -> str:
    return value.translate(_REFERENCES)


def text(value: Any) -> str:
    """Inline text, safe in Markdown, in HTML text and in a quoted HTML attribute."""
    if value is None:
        return ""
    return _references(_plain(value))


def code(value: Any, language: str = "") -> Markup:
    """A code block as one raw HTML line (no blank line can end the raw block early)."""
    body = "&#10;".join(_references(_strip_controls(line)) for line in str(value).splitlines())
    cls = f' class="language-{text(language)}"' if language else ""
    return Markup(f"<pre><code{cls}>{body}</code></pre>")


def inline_code(value: Any) -> Markup:
    """Text in a `<code>` element (never a Markdown code span: entities are not decoded there)."""
    return Markup(f"<code>{text(value)}</code>")


def _strip_controls(line: str) -> str:
    return "".join(" " if unicodedata.category(ch) == "Cc" and ch != "\t" else ch for ch in line)


def safe_url(value: Any) -> str | None:
    """The URL when it is a plain http(s) or mailto URL, else None (javascript:, data:, relative...)."""
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    return candidate if _SAFE_URL.fullmatch(candidate) else None


def link(url: Any, label: Any = None) -> Markup:
    """`<a href>` for a safe URL; the label (or the URL) as text otherwise."""
    shown = text(label if label is not None else url)
    target = safe_url(url)
    if target is None:
        return Markup(shown)
    return Markup(f'<a href="{text(target)}" rel="nofollow noopener">{shown}</a>')


def _markdown_packages():
    try:
        import markdown
        import nh3
    except ImportError:
        return None
    return markdown, nh3


MARKDOWN_AVAILABLE = _markdown_packages() is not None
_RENDERERS = threading.local()  # a Markdown converter and two sanitizers per thread (none is thread-safe)


def _renderers():
    """(Markdown converter, block sanitizer, inline sanitizer), built once per thread: building a
    Markdown instance (its parser and ~30 inline patterns) cost more than converting a
    description with it, and a 1,000-product site converts ~2,000 of them. `reset()` before each
    conversion gives the same HTML as a fresh instance."""
    made = getattr(_RENDERERS, "made", None)
    if made is None:
        markdown, nh3 = _markdown_packages()
        options = {"attributes": _ALLOWED_ATTRIBUTES, "url_schemes": _URL_SCHEMES, "link_rel": "nofollow noopener",
                   "strip_comments": True}
        if hasattr(nh3, "Cleaner"):  # nh3 >= 0.3: a sanitizer configured once
            block, inline = (nh3.Cleaner(tags=tags, **options).clean for tags in (_ALLOWED_TAGS, _INLINE_TAGS))
        else:
            block, inline = (functools.partial(nh3.clean, tags=tags, **options) for tags in (_ALLOWED_TAGS, _INLINE_TAGS))
        made = _RENDERERS.made = (markdown.Markdown(output_format="html"), block, inline)
    return made


@lru_cache(maxsize=4096)
def description(value: str, inline: bool = False) -> Markup:
    """A team's Markdown as sanitized HTML on one line (inline: no block elements, for a table
    cell). Plain escaped text when Python-Markdown or nh3 is not installed."""
    if not MARKDOWN_AVAILABLE:
        return Markup(text(value))
    converter, block, inline_only = _renderers()
    source = "".join(" " if unicodedata.category(ch) == "Cc" and ch not in "\n\t" else ch for ch in value)
    source = source.replace("\u2028", "\n").replace("\u2029", "\n\n")
    # HTML written in a description is shown as text, never interpreted (nh3 below is the second wall)
    source = source.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = converter.reset().convert(source)
    if inline:
        html = re.sub(r"</p>\s*<p>", "<br>", html)
    cleaned = (inline_only if inline else block)(html)
    # The HTML is final: what MkDocs or an extension could still read as syntax becomes a reference.
    return Markup(_final_html(cleaned))


_MARKUP_IN_HTML = {ch: f"&#{ord(ch)};" for ch in "`*_{}[]()#+!|~^=:$%\\"}


def _final_html(html: str) -> str:
    out = []
    for part in re.split(r"(<[^>]*>)", html):
        if part.startswith("<"):
            # inside a tag only attribute values can hold such characters; a reference there
            # decodes to the same value in the browser
            out.append(re.sub(r'"[^"]*"', lambda m: "".join(_MARKUP_IN_HTML.get(c, c) for c in m.group()), part))
        else:
            out.append("".join(_MARKUP_IN_HTML.get(c, c) for c in part))
    return "".join(out).replace("\r", "").replace("\n", "&#10;")
