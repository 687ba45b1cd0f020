"""`python -m meshgen` and the `meshgen` command.

`meshgen --version` is answered here, before click and the API are imported (its startup is
measured against bare Python by benchmarks/bench_build.py); the line is the one click's
`--version` prints. Every other command line, and a version that cannot be written (a closed,
full or broken stdout, which the CLI reports), goes to meshgen.cli.
"""

import sys


def _printed_version() -> bool:
    """Whether the version line was written whole to standard output."""
    import os

    from meshgen import __version__

    data = f"meshgen, version {__version__}\n".encode("ascii")
    try:
        fd = sys.stdout.fileno()
        while data:
            data = data[os.write(fd, data):]
    except (OSError, ValueError, AttributeError):  # closed (None), full, a broken pipe, not a file
        return False
    return True


def main() -> None:
    if sys.argv[1:] == ["--version"] and _printed_version():
        return
    from meshgen.cli import main as run_cli

    run_cli()


if __name__ == "__main__":
    main()
