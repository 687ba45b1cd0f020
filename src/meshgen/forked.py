"""Worker processes forked from a meshgen command, which die with it.

The build's units (planner) and a big docs site's parts (docsite.part_workers) run in forked
workers that inherit what the command computed. A command killed by SIGKILL cannot stop its
workers, so each asks Linux to kill it when its parent dies (PR_SET_PDEATHSIG) instead of waiting
for work forever.
"""

from __future__ import annotations

import multiprocessing
import os


def can_fork() -> bool:
    """Whether this platform starts workers by forking (they then inherit the command's state)."""
    return "fork" in multiprocessing.get_all_start_methods()


def pool(workers: int):
    """A ProcessPoolExecutor of `workers` forked processes that end when this process does."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def _die_with_parent(parent: int) -> None:
    """In a worker: end when the process that forked it ends; at once when it already has."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the command died before the call
        os._exit(1)
