"""Python's cyclic garbage collector while a big mesh is loaded and used.

A 100,000-field product is millions of container objects (values, positions, models) that live
for the whole run and hold no reference cycles. Each full collection walks every tracked object,
so collections triggered while they are built, and again while the targets run, walk them over
and over: ~2 s of a 100,000-field `validate` before these. Reference counting still frees
everything as before; only the search for cycles is put off or leaves the loaded objects out.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block: for building values that form no cycles (a
    document's values and positions, its models). Collections resume after it as before."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Full collections during a run: after 100 collections of the middle generation, not 10 (Python's
# default). A frozen mesh no longer counts towards the oldest generation's size, so the targets'
# own long-lived documents (a 100,000-field JSON Schema, the messages of a .proto) would trigger a
# full collection every ~70,000 allocations; short-lived cycles are still found by the young ones.
_RUN_FULL_EVERY = 100


class FrozenRun:
    """One command's run over a loaded mesh: `keep()`, once the mesh is loaded, moves every object
    alive then out of the collector's scans (gc.freeze), and full collections are rarer while the
    block runs; its end puts both back (gc.unfreeze, the thresholds), so a long-running process
    (a test session, `meshgen serve`) collects them again. Nothing is done when objects were
    frozen already: their owner decides."""

    def __enter__(self) -> "FrozenRun":
        self.owner = gc.get_freeze_count() == 0
        if self.owner:
            self.thresholds = gc.get_threshold()
            young, middle, full = self.thresholds
            gc.set_threshold(young, middle, max(full, _RUN_FULL_EVERY))
        return self

    def keep(self) -> None:
        if self.owner:
            gc.freeze()

    def __exit__(self, *exc) -> None:
        if self.owner:
            gc.unfreeze()
            gc.set_threshold(*self.thresholds)
