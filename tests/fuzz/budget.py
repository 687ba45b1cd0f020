"""How long the fuzz tests run: examples per test, the time a command may take, and the seed.

- MESHGEN_FUZZ_EXAMPLES: examples per test (each test has a short default, for CI).
- MESHGEN_FUZZ_TIMEOUT: seconds one command may run before it counts as a hang (default 60).
- MESHGEN_FUZZ_SEED: unset, the examples are derandomized (the same inputs on every machine and
  every run, so CI never turns red by chance); an integer, hypothesis draws from that seed, so
  long runs with different seeds explore different inputs (a failure names its seed: rerun it
  with the same MESHGEN_FUZZ_SEED and MESHGEN_FUZZ_EXAMPLES).

No shrinking: each example runs whole commands (seconds), and the failing input is printed whole.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, seed, settings

TIMEOUT = float(os.environ.get("MESHGEN_FUZZ_TIMEOUT", "60"))  # seconds per command: a hang, not a slow run
SEED = os.environ.get("MESHGEN_FUZZ_SEED") or None


def examples(default: int) -> int:
    """The number of examples a test runs: MESHGEN_FUZZ_EXAMPLES, else its CI default."""
    return int(os.environ.get("MESHGEN_FUZZ_EXAMPLES", str(default)))


def fuzz_settings(default_examples: int):
    """The decorator of a fuzz test (above its @given): its budget and its seed."""
    chosen = settings(max_examples=examples(default_examples), deadline=None, derandomize=SEED is None,
                      database=None, phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                             HealthCheck.data_too_large, HealthCheck.filter_too_much])

    def apply(test):
        test = chosen(test)
        return seed(int(SEED))(test) if SEED is not None else test

    return apply
