"""Federated computational governance: coded rules, mesh and domain policy, waivers.

    rule.py      the `Rule` base class and the `Finding` a rule reports
    rules/       one module per built-in rule, named by its code (pii001.py, ...)
    registry.py  built-in rules plus third-party rules from the `meshgen.rules` entry points
    policy.py    the `governance:` settings of meshgen.yaml and the domain policy files
    waivers.py   product waivers: validated, matched to findings, reported when stale
    engine.py    `check_mesh(mesh)`: a checking pass (run by meshgen.api)
    docs.py      docs/rules.md, generated from the rules' docstrings
"""
