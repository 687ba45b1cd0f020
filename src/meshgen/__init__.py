"""meshgen: a compiler for data products."""

__version__ = "0.1.0"
