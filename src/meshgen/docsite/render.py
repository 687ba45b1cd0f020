"""The docs site's templates: declared like a target's, rendered so that nothing prints unescaped.

The environment is meshgen's sandboxed, strict one (`meshgen.render.TemplateRenderer`, the mesh's
`templates:` folder first, so `templates/docsite/product.md.j2` replaces the product page), with
one difference: every `{{ value }}` is passed through `escape.text` unless it is `Markup` (a link,
a sanitized description, a code block or the lineage picture made safe in Python). An override
cannot forget to escape, and spec text that looks like Jinja (`{{ 7*7 }}`) is data, never a template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from markupsafe import Markup

from meshgen.docsite import escape
from meshgen.targets.base import TemplateInfo

_BADGE = "badge(name): a status or change-class badge (Markup)"
_COMMON = (("badge", _BADGE), ("indent", "indent(depth): Markup spaces that indent a nested field's name"))

TEMPLATES: dict[str, TemplateInfo] = {
    "docsite/home.md.j2": TemplateInfo("the docs site's home page (`docs/index.md`)", (
        ("mesh_name", "the mesh's name"),
        ("counts", "products, domains, owners, datasets (numbers)"),
        ("statuses", "(status, number of products) pairs"),
        ("domains", "each domain: name, link, products (a number), owners"),
        ("products", "each product: link, address, title, status, version, owner, domain, domain_link, tags, "
                     "purpose (empty past 100 product versions: the domain pages list them)"),
        ("rules_link", "a link to the rules page"),
        ("picture", "the mesh's lineage picture (Markup: an <img> of the page's lineage.svg, which meshgen's "
                    "MkDocs hook replaces by the SVG itself; empty without one)"),
        ("artifacts", "the mesh-wide artifacts of the build output: target, files (links)"),
        *_COMMON)),
    "docsite/domain.md.j2": TemplateInfo("one domain's page (`docs/domains/<domain>/index.md`)", (
        ("domain", "the domain's name"), ("home_link", "a link to the home page"),
        ("products", "its products, as on the home page"), ("owners", "the teams that own them"),
        ("reads", "links to the products of other domains it reads"),
        ("read_by", "links to the products of other domains that read it"),
        ("picture", "the domain's lineage picture (Markup, as on the home page)"), *_COMMON)),
    "docsite/product.md.j2": TemplateInfo(
        "one product version's page (`docs/products/<domain>/<name>/v<major>/index.md`)", (
            ("product", "identity: address, title, version, status, tags, versions, deprecated, successor, replaces, ..."),
            ("owner", "team, email, product_owner, support"),
            ("description", "purpose, usage, limitations: sanitized HTML (Markup)"),
            ("slos", "each objective: name, target, detail"),
            ("ports", "each output port: name, type, dataset, platform, format, topic, location, url, description, connect"),
            ("datasets", "each dataset: name, description, primary_key, partition_by, fields, quality, sample_queries, "
                         "examples"),
            ("inputs", "its input ports: product (link), port, dataset, fields, team"),
            ("consumers", "the input ports in the mesh that read it: product (link), port, dataset, fields, team"),
            ("changelog", "from the previous major version: previous, version, previous_link, compatibility, changes"),
            ("artifacts", "each target's files in the build output: target, files (links)"),
            ("artifacts_built", "whether a build output was found"),
            ("picture", "its upstream and downstream neighbourhood (Markup, as on the home page; empty for a "
                        "product that reads none and is read by none)"),
            ("waivers", "its governance waivers: rule, path, reason, expires, active"),
            ("source", "its dataproduct.yaml, relative to the mesh root"), *_COMMON)),
    "docsite/rules.md.j2": TemplateInfo("the governance page (`docs/rules/index.md`)", (
        ("mesh_name", "the mesh's name"), ("domains", "the domains with a policy of their own"),
        ("rules", "each rule: code, name, severity, domains (the severity in each of `domains`), summary"),
        ("waivers", "the active waivers: product (link), rule, path, reason, expires"),
        ("today", "the date waivers are judged against (MESHGEN_TODAY pins it)"), *_COMMON)),
    "docsite/meshgen.css.j2": TemplateInfo("the site's extra stylesheet (`docs/assets/meshgen.css`)", ()),
}


def templates_markdown() -> str:
    """The docs site's part of docs/templates.md (the targets' part is meshgen.targets.templates_markdown)."""
    lines = []
    for template, info in sorted(TEMPLATES.items()):
        lines += [f"### `{template}`", "", f"{info.what[:1].upper()}{info.what[1:]}. Rendered by: `meshgen docs build`.", ""]
        if info.variables:
            lines += ["| variable | what it holds |", "|---|---|"]
            lines += [f"| `{var}` | {meaning} |" for var, meaning in info.variables]
            lines.append("")
    return "\n".join(lines)


def _finalize(value: Any) -> Any:
    return value if isinstance(value, Markup) else escape.text(value)


def _join(items: Iterable[Any], separator: str = "") -> Markup:
    return Markup(separator).join(  # the separator is the template's own text
        item if isinstance(item, Markup) else Markup(escape.text(item)) for item in items)


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def badge(name: str) -> Markup:
    return Markup(f'<span class="meshgen-badge meshgen-{escape.text(name)}">{escape.text(name)}</span>')


def indent(depth: int) -> Markup:
    return Markup("&#160;" * 4 * depth + ("&#8627; " if depth else ""))


class PageRenderer:
    """Renders the docs site's templates; `used` records which template sources were read."""

    def __init__(self, override_dir: Path | None):
        from meshgen.render import TemplateRenderer

        self.renderer = TemplateRenderer(override_dir)  # a fresh environment: finalize is compiled in
        env = self.renderer.env
        env.finalize = _finalize
        env.filters.update(join=_join, plural=_plural)
        env.globals.update(badge=badge, indent=indent)

    def render(self, name: str, **context: Any) -> str:
        return self.renderer.render(f"docsite/{name}", **context)
