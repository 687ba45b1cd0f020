"""Tests of meshgen.reporting; `checks_only` is shared with the tests of the checking passes."""


def checks_only(diagnostics: list[dict]) -> list[dict]:
    """`validate` runs every target too: leave out the notes and infos of what a target cannot
    express (tests/targets checks those), keeping what the checks and a target's warnings say."""
    from meshgen.reporting.codes import family_of

    def from_target(d: dict) -> bool:
        family = family_of(d["code"])
        return bool(family and family.target) and d["severity"] in ("note", "info")

    return [d for d in diagnostics if not from_target(d)]
