"""Today's date, for every check that compares dates (waiver expiry, deprecation deadlines).

MESHGEN_TODAY=YYYY-MM-DD pins it, so that tests and replays of an old build never rot.
"""

from __future__ import annotations

import datetime as dt
import os

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.errors import UsageError

TODAY_VARIABLE = "MESHGEN_TODAY"


def today() -> dt.date:
    pinned = os.environ.get(TODAY_VARIABLE, "").strip()
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise UsageError(f"{TODAY_VARIABLE}={pinned!r} is not a date", [Diagnostic(
            "ENV001", Severity.ERROR, f"{TODAY_VARIABLE}={pinned!r} is not a date",
            Location("<environment>"), f"write {TODAY_VARIABLE}=YYYY-MM-DD, such as 2026-11-26, or unset it")]) from None


# The codes this module reports (meshgen.reporting.codes collects every component's).
def _code_families():
    from meshgen.diagnostics import CodeFamily, DiagnosticCode

    return (CodeFamily("ENV", "The environment meshgen runs in is usable.", "docs/diagnostics.md", (
        DiagnosticCode("ENV001", "error (exit 2)", "`MESHGEN_TODAY` is set but is not a date `YYYY-MM-DD`"),
    ), configurable=False),)


CODE_FAMILIES = _code_families()
