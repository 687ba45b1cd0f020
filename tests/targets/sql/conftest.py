"""A throwaway PostgreSQL server for the session: started on 127.0.0.1 on a free port in a
temporary folder, stopped and removed afterwards. As root it runs as the `postgres` user."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile

import pytest

from tests.conftest import need


def _pg_bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]), reverse=True)
    if found:
        return os.path.dirname(found[0])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_dsn():
    bindir = _pg_bindir()
    need(bindir is not None, "PostgreSQL server (initdb); scripts/setup-test-env.sh installs it")
    # Not pytest's tmp_path: it is private to root (0700) and the postgres user cannot enter it.
    base = tempfile.mkdtemp(prefix="meshgen-pg-")
    data = os.path.join(base, "data")
    prefix: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(prefix + [f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                             "--no-locale", "--no-sync"], check=True, capture_output=True)
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {base} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    subprocess.run(prefix + [f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(base, "log"), "-w", "-t", "60",
                             "-o", options, "start"], check=True, capture_output=True)
    try:
        yield f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    finally:
        subprocess.run(prefix + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
