"""A test run as text: human lines, JSON, or JUnit XML (one testsuite per product)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter

from meshgen.diagnostics import Severity
from meshgen.testing.runner import Outcome, TestRun

FORMATS = ("human", "json", "junit")


def measured_text(o: Outcome) -> str:
    if o.measured is None:
        return "no value"
    value = o.measured
    if o.check.unit == "ratio":
        return f"{value:.4%}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    if o.check.unit == "seconds":
        return f"{value:.0f} s ({age(float(value))})"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text} rows" if o.check.unit == "rows" else text


def age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if abs(seconds) >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def line(o: Outcome) -> str:
    threshold = o.check.threshold.describe()
    if o.status == "errored":
        return f"  ERRORED  {o.check.id}: {o.message}"
    mark = "passed " if o.status == "passed" else ("FAILED " if o.check.severity == "error" else "WARNING")
    extra = f" ({o.message})" if o.message else ""
    return f"  {mark}  {o.check.id}: measured {measured_text(o)}, must be {threshold}{extra}"


def summary(run: TestRun) -> str:
    counts = Counter(o.status for o in run.outcomes)
    failed_errors = sum(1 for o in run.outcomes if o.status == "failed" and o.check.severity == "error")
    failed_warnings = counts["failed"] - failed_errors
    parts = [f"{counts['passed']} passed", f"{failed_errors} failed"]
    if failed_warnings:
        parts.append(f"{failed_warnings} warned")
    if counts["errored"]:
        parts.append(f"{counts['errored']} errored")
    n = len(run.outcomes)
    return f"{n} check{'s' if n != 1 else ''}: " + ", ".join(parts)


def render_human(run: TestRun) -> str:
    out: list[str] = []
    current = None
    for o in run.outcomes:
        if (o.product, o.dataset) != current:
            current = (o.product, o.dataset)
            out.append(f"{o.product} {o.dataset} (table {o.table})")
        out.append(line(o))
    out.append(summary(run))
    return "\n".join(out) + "\n"


def outcome_dict(o: Outcome) -> dict:
    t = o.check.threshold
    return {"product": o.product, "dataset": o.dataset, "table": o.table, "id": o.check.id,
            "kind": o.check.kind, "dimension": o.check.dimension, "severity": o.check.severity,
            "status": o.status, "measured": o.measured, "unit": o.check.unit,
            "threshold": {"op": t.op, "value": list(t.value) if isinstance(t.value, tuple) else t.value,
                          "as_written": t.said},
            "message": o.message, "source": str(o.check.location)}


def render_json(run: TestRun) -> str:
    doc = {"connection": run.connection, "summary": summary(run), "passed": not run.failed,
           "checks": [outcome_dict(o) for o in run.outcomes],
           "diagnostics": [d.to_dict() for d in run.diagnostics]}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_junit(run: TestRun) -> str:
    """JUnit XML: a failed check is a <failure>, an errored one an <error>; a failed warning-severity
    check passes, with its measurement in system-out (CI systems show it without failing the run)."""
    root = ET.Element("testsuites", name="meshgen test")
    suites: dict[str, ET.Element] = {}
    for o in run.outcomes:
        suite = suites.get(o.product)
        if suite is None:
            suite = suites[o.product] = ET.SubElement(root, "testsuite", name=o.product)
        case = ET.SubElement(suite, "testcase", classname=f"{o.product}.{o.dataset}", name=o.check.id,
                             file=o.check.location.file, line=str(o.check.location.line))
        text = line(o).strip()
        if o.status == "errored":
            ET.SubElement(case, "error", message=o.message).text = text
        elif o.status == "failed" and o.check.severity == "error":
            ET.SubElement(case, "failure", message=text).text = text
        else:
            ET.SubElement(case, "system-out").text = text
    for d in run.diagnostics:
        suite = suites.get("meshgen") or suites.setdefault("meshgen", ET.SubElement(root, "testsuite", name="meshgen"))
        case = ET.SubElement(suite, "testcase", classname="meshgen.diagnostics", name=f"{d.code} {d.location}")
        if d.severity is Severity.ERROR:
            ET.SubElement(case, "error", message=d.message).text = f"{d.message}\nhint: {d.hint}"
    for suite in root:
        cases = list(suite)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(run: TestRun, fmt: str) -> str:
    return {"human": render_human, "json": render_json, "junit": render_junit}[fmt](run)
