"""docs/rules.md, generated from the rules' docstrings and options (a test keeps the file in sync).

    python -m meshgen.governance.docs > docs/rules.md
"""

from __future__ import annotations

import inspect
import json

from meshgen.governance.registry import load_registry
from meshgen.governance.rule import TIGHTEN, RuleOptions, tighten_kind

INTRO = """# Governance rules

<!-- Generated from the rules' docstrings by `python -m meshgen.governance.docs > docs/rules.md`;
     do not edit by hand (tests/governance/test_rule_docs.py checks it). -->

Every rule has a stable code, a dotted name, groups, a default severity and typed options.
A policy in `meshgen.yaml` (and a domain's `governance.yaml`) refers to a rule by its code, its
name or one of its groups; see [governance.md](governance.md) for policies and waivers. A domain
policy may tighten a rule's options as each option's "a domain policy may" column says; anything
else is error GOV002.
`meshgen rules` lists the rules with the severity in force.

## Enforced elsewhere in meshgen

Some governance requirements are checked by the spec, the mesh or the contract pass, with codes
that no governance policy can disable or waive:

| what | code |
|---|---|
| names that would escape a folder (`..`, `/`, `\\\\`, control characters, empty, over 128 characters) are rejected for domain, product, dataset, field, team, port and check names | SPEC004 |
| an output port serves a dataset the product has | REF002 |
| `slos.freshness.timestampField` is `<dataset>.<field>` of the product, and a timestamp or date | REF003 |
| `slos.accuracy.check` names an existing quality check | REF004 |
| primary-key and partition fields exist, are required and are scalar | REF001 |
| `replacedBy` names a field of the dataset | REF008 |
| a product's `lifecycle.successor` is in the mesh | MESH005 |
| input ports name a product, dataset and fields that exist | MESH002-MESH004 |
| no product reads itself, directly or through other products | MESH006 |
| no consumer depends on a retired product version, or on one past its `lifecycle.deprecationDate` (a warning before the date; past it an error, or a warning with `contracts: {pastDeprecation: warning}`) | VERSION007, VERSION008 ([contracts.md](contracts.md)) |
| a consumer is told when a field it reads is deprecated (its replacement and date; past the date an error, configurable the same way) | VERSION011 ([contracts.md](contracts.md)) |

## Rules

| code | name | groups | default |
|---|---|---|---|
"""


def _options_table(rule) -> list[str]:
    fields = rule.Options.model_fields
    if not fields:
        return ["No options.", ""]
    lines = ["| option | default | a domain policy may | meaning |", "|---|---|---|---|"]
    for name, info in fields.items():
        default = info.default
        if isinstance(default, RuleOptions):
            may = "; ".join(f"`{key}`: {TIGHTEN[tighten_kind(sub)]}" for key, sub in type(default).model_fields.items())
            default = default.model_dump()
        else:
            may = TIGHTEN[tighten_kind(info)]
        shown = json.dumps(default, sort_keys=True)
        lines.append(f"| `{name}` | `{shown}` | {may} | {info.description or ''} |")
    return lines + [""]


def rules_markdown() -> str:
    registry = load_registry()
    rules = [r for r in registry.rules.values() if r.__module__.startswith("meshgen.")]
    out = [INTRO.rstrip("\n")]
    for r in rules:
        out.append(f"| [{r.code}](#{r.code.lower()}) | `{r.name}` | {', '.join(r.groups)} | {r.default_level()} |")
    out.append("")
    for r in rules:
        doc = inspect.cleandoc(r.__doc__ or "")
        summary, _, body = doc.partition("\n")
        out += [f"### {r.code}", "", f"`{r.name}` · groups: {', '.join(r.groups)} · default: **{r.default_level()}**", "",
                summary.strip(), "", body.strip(), "", "**Options**", ""]
        out += _options_table(r)
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(rules_markdown())
