"""Diagnostics as SARIF 2.1.0 (GitHub code scanning) and as GitHub workflow commands.

Both read `Diagnostic.to_dict()`, like every other format. Rule metadata comes from the rule
registry; core codes (LOAD, SPEC, MESH, REF, CONF, GOV, ...) get a generic descriptor for
their family. Output is deterministic: no timestamps, no absolute paths of this machine.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Iterable
from urllib.parse import quote

from meshgen.diagnostics import Diagnostic

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}

FAMILIES = {
    "LOAD": "The file can be read: it exists, is UTF-8 and is plain YAML.",
    "SPEC": "The product follows the meshgen/v1 spec (docs/spec-reference.md).",
    "MESH": "References between the products of the mesh resolve.",
    "REF": "References inside a product resolve (keys, ports, SLOs, quality checks).",
    "CONF": "meshgen.yaml is valid.",
    "GOV": "The governance policy, domain policies and waivers are valid (docs/governance.md).",
    "INIT": "meshgen init received usable values.",
}


def _family(code: str) -> str:
    return re.sub(r"\d+$", "", code)


def _core_descriptor(code: str) -> dict:
    text = FAMILIES.get(_family(code), "A meshgen check.")
    return {
        "id": code,
        "name": code,
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{code}: {text} This core check cannot be disabled or waived."},
        "help": {"text": f"{text} See the diagnostic's hint for the fix.",
                 "markdown": f"**{code}** — {text} See the diagnostic's hint for the fix."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["meshgen", "core"]},
    }


def _rule_descriptor(rule) -> dict:
    doc = inspect.cleandoc(rule.__doc__ or rule.summary())
    body = doc.split("\n", 1)[1].strip() if "\n" in doc else doc
    plain = re.sub(r"```\w*\n?", "", body).replace("**", "")
    level = "none" if not rule.enabled else LEVELS[rule.severity.label]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": plain},
        "help": {"text": plain, "markdown": f"**{rule.code} {rule.name}**\n\n{doc}"},
        "defaultConfiguration": {"level": level, "enabled": rule.enabled},
        "properties": {"tags": ["meshgen", "governance", *rule.groups]},
    }


def _artifact(file: str) -> dict:
    if PurePosixPath(file).is_absolute() or PureWindowsPath(file).is_absolute():
        path = PureWindowsPath(file) if PureWindowsPath(file).drive else PurePosixPath(file)
        return {"uri": path.as_uri()}
    posix = file.replace("\\", "/")
    return {"uri": quote(posix, safe="/"), "uriBaseId": "%SRCROOT%"}


def _location(file: str, line: int, column: int) -> dict:
    return {"physicalLocation": {"artifactLocation": _artifact(file),
                                 "region": {"startLine": max(line, 1), "startColumn": max(column, 1)}}}


def sarif_log(diagnostics: Iterable[Diagnostic]) -> dict:
    from meshgen import __version__
    from meshgen.governance.registry import load_registry

    registry = load_registry()
    items = [d.to_dict() for d in diagnostics]
    descriptors = {code: _rule_descriptor(rule) for code, rule in registry.rules.items()}
    for item in items:
        if item["code"] not in descriptors:
            descriptors[item["code"]] = _core_descriptor(item["code"])
    ordered = sorted(descriptors)
    index = {code: i for i, code in enumerate(ordered)}
    results = []
    for item in items:
        text = item["message"] + (f"\nhint: {item['hint']}" if item["hint"] else "")
        result = {
            "ruleId": item["code"],
            "ruleIndex": index[item["code"]],
            "level": LEVELS[item["severity"]],
            "message": {"text": text},
            "locations": [_location(item["file"], item["line"], item["column"])],
        }
        if item.get("related"):
            result["relatedLocations"] = [
                {"id": i, **_location(r["file"], r["line"], r["column"])} for i, r in enumerate(item["related"])]
        if item.get("suppressed"):
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": item["suppressed"]["justification"]}]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "meshgen",
                "version": __version__,
                "rules": [descriptors[c] for c in ordered],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def format_sarif(diagnostics: Iterable[Diagnostic], color: bool = False) -> str:
    return json.dumps(sarif_log(diagnostics), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def format_github(diagnostics: Iterable[Diagnostic], color: bool = False) -> str:
    """One `::error file=...,line=...,col=...,title=...::message` line per active finding."""
    lines = []
    for d in diagnostics:
        item = d.to_dict()
        if item.get("suppressed"):
            continue
        title = f"{item['code']} {item['name']}".strip()
        props = ",".join(f"{k}={_escape_property(str(v))}" for k, v in (
            ("file", item["file"].replace("\\", "/")), ("line", item["line"]), ("col", item["column"]), ("title", title)))
        message = item["message"] + (f"\nhint: {item['hint']}" if item["hint"] else "")
        lines.append(f"::{_COMMANDS[item['severity']]} {props}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
