"""Forked workers (meshgen.forked) end when the command that forked them is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from meshgen import forked

COMMAND = """
import os, sys, time
from meshgen import forked

def wait(path):
    with open(path, "w") as out:
        out.write(str(os.getpid()))
    time.sleep(120)

with forked.pool(1) as pool:
    pool.submit(wait, sys.argv[1]).result()
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux") or not forked.can_fork(), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_dies_with_the_command_that_forked_it(tmp_path):
    marker = tmp_path / "worker.pid"
    command = subprocess.Popen([sys.executable, "-c", COMMAND, str(marker)])
    try:
        for _ in range(300):
            if marker.exists() and marker.read_text():
                break
            time.sleep(0.05)
        worker = int(marker.read_text())
        assert worker != command.pid and _alive(worker)
        os.kill(command.pid, signal.SIGKILL)
        command.wait(10)
        for _ in range(100):
            if not _alive(worker):
                break
            time.sleep(0.05)
        assert not _alive(worker), "the worker outlived the command that forked it"
    finally:
        command.kill()
        command.wait()
