"""Diagnostics as SARIF 2.1.0 (GitHub code scanning) and as GitHub workflow commands.

Both read `Diagnostic.to_dict()`, like every other format. Rule metadata comes from the rule
registry; every other code gets a descriptor from its family's declaration (meshgen.reporting.codes). Output is deterministic: no timestamps; files under the working directory are
relative URIs (run meshgen from the repository root, as GitHub code scanning expects). A
governance finding also carries its waiver path as a logical location; every result has a
`partialFingerprints` entry built from code, file, logical path and message, so an alert
keeps its identity when lines move.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Iterable
from urllib.parse import quote

from meshgen.diagnostics import Diagnostic
from meshgen.reporting.codes import declared, family_of, family_prefix
from meshgen.serializer import json_document

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "note": "note", "info": "note"}


def _core_descriptor(code: str, level: str) -> dict:
    family = family_of(code)
    text, doc = (family.title, family.docs) if family else ("A meshgen check.", "docs/diagnostics.md")
    meaning = declared(code)
    if meaning is not None:
        text = f"{text} {code}: {meaning.meaning}."
    return {
        "id": code,
        "name": code,
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{code}: {text} A core check, not a governance rule: waivers do not apply."},
        "help": {"text": f"{text} The result's hint says how to fix it; {doc} lists every {family_prefix(code)} code.",
                 "markdown": f"**{code}** — {text}\n\nThe result's hint says how to fix it; `{doc}` lists every "
                             f"{family_prefix(code)} code."},
        "defaultConfiguration": {"level": level},
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


def _location(file: str, line: int, column: int, path: str = "") -> dict:
    out = {"physicalLocation": {"artifactLocation": _artifact(file),
                                "region": {"startLine": max(line, 1), "startColumn": max(column, 1)}}}
    if path:  # the waiver path of a governance finding
        out["logicalLocations"] = [{"fullyQualifiedName": path, "kind": "member"}]
    return out


def _related(index: int, r: dict) -> dict:
    """A related position; one in a git revision (`HEAD:path`, from a contract check) is not a
    file of the checkout, so it is described in words rather than linked."""
    rev, sep, rest = r["file"].partition(":")
    if sep and len(rev) > 1 and rest and not rest.startswith(("/", "\\")):
        return {"id": index, "message": {"text": f"previous version: {r['file']}:{r['line']}:{r['column']}"}}
    return {"id": index, **_location(r["file"], r["line"], r["column"])}


def _fingerprint(item: dict) -> str:
    key = "\0".join((item["code"], item["file"].replace("\\", "/"), item.get("path", ""), item["message"]))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def sarif_log(diagnostics: Iterable[Diagnostic]) -> dict:
    from meshgen import __version__
    from meshgen.governance.registry import load_registry

    registry = load_registry()
    items = [d.to_dict() for d in diagnostics]
    descriptors = {code: _rule_descriptor(rule) for code, rule in registry.rules.items()}
    for item in items:  # a core code's default level: the first level it is reported at in this run
        if item["code"] not in descriptors:
            descriptors[item["code"]] = _core_descriptor(item["code"], LEVELS[item["severity"]])
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
            "locations": [_location(item["file"], item["line"], item["column"], item.get("path", ""))],
            # Stable across commits when lines move: what was found, in which file, at which logical path.
            "partialFingerprints": {"meshgenFinding/v1": _fingerprint(item)},
        }
        if item.get("related"):
            result["relatedLocations"] = [_related(i, r) for i, r in enumerate(item["related"])]
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
    return json_document(sarif_log(diagnostics))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_COMMANDS = {"error": "error", "warning": "warning", "note": "notice", "info": "notice"}


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
