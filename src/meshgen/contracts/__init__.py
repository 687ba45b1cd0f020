"""Data contracts between versions of a product, and between a producer and its consumers.

    previous product ─┐
                      ├─ match.py: pair old and new elements once (datasets, fields, ports, SLOs)
    current product  ─┘      │
                             ▼
             rules.py: one small handler per rule over a (previous, current) pair → Change
                             │
                             ▼
    judge.py: the declared `compatibility` mode + the mesh's consumers → Diagnostic severity
    policy.py: version policy (bumps, new majors beside old ones, retirement, deprecation)
    baseline.py: the mesh as it was at a git revision (read with git, working tree untouched)
    passes.py: the `meshgen build` pass; changelog.py: every change, classified, as Markdown/JSON
"""
