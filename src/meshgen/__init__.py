"""meshgen: a compiler for data products.

The public API is `meshgen.api`; its entry points are re-exported here:

    import meshgen
    result = meshgen.build("specs", targets=["avro"])
"""

__version__ = "0.1.0"

from meshgen.api import (  # noqa: E402  (after __version__, which the API's modules read)
    AgainstResult, BuildResult, CheckResult, build, changelog, check, check_against, diff, render_report,
    rules_in_force, scaffold, schema,
)

__all__ = ["AgainstResult", "BuildResult", "CheckResult", "__version__", "build", "changelog", "check",
           "check_against", "diff", "render_report", "rules_in_force", "scaffold", "schema"]
