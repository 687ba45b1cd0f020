"""meshgen: a compiler for data products.

The public API is `meshgen.api`; its entry points are re-exported here:

    import meshgen
    result = meshgen.build("specs", targets=["avro"])

They are imported on first use (PEP 562 `__getattr__`), so `import meshgen` and `meshgen --version`
do not pay for the API's imports.
"""

__version__ = "0.1.0"

__all__ = ["AgainstResult", "BuildResult", "CheckResult", "__version__", "build", "changelog", "check",
           "check_against", "diff", "render_report", "rules_in_force", "scaffold", "schema"]


def __getattr__(name: str):
    """An entry point of the API, imported when it is first read (then kept as a module attribute)."""
    if name not in __all__:
        raise AttributeError(f"module 'meshgen' has no attribute {name!r}")
    from meshgen import api

    value = getattr(api, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
