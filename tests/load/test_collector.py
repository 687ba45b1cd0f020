"""The garbage collector around a run: paused while values are built, the loaded mesh left out of
its scans during a command, and everything put back afterwards (a test session or `meshgen serve`
keeps collecting as before)."""

from __future__ import annotations

import gc
import pytest

from meshgen import api
from meshgen.errors import ViolationsFound
from meshgen.load.collector import FrozenRun, collector_paused
from meshgen.load.yaml_source import parse_yaml
from tests.support.products import one_dataset_product


@pytest.fixture()
def collector():
    """The collector as the test found it, restored whatever the test did."""
    enabled, thresholds, frozen = gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()
    assert frozen == 0, "another test left objects frozen"
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    (gc.enable if enabled else gc.disable)()


def test_paused_inside_and_enabled_after(collector):
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a failing build")
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled(collector):
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_parse_resumes_collection_even_when_the_yaml_is_refused(collector):
    gc.enable()
    parse_yaml("a: 1\n", "p.yaml")
    assert gc.isenabled()
    with pytest.raises(Exception):
        parse_yaml("a: [1\n", "p.yaml")
    assert gc.isenabled()


def test_frozen_run_freezes_what_was_kept_and_puts_it_back(collector):
    before = gc.get_threshold()
    kept = [[] for _ in range(1000)]  # tracked containers alive at keep()
    with FrozenRun() as run:
        assert gc.get_threshold()[2] >= 100
        run.keep()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_a_run_inside_frozen_objects_leaves_them_to_their_owner(collector):
    gc.freeze()
    frozen = gc.get_freeze_count()
    thresholds = gc.get_threshold()
    with FrozenRun() as run:
        run.keep()
        assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == frozen  # not unfrozen by the inner run




def test_check_and_build_leave_the_collector_as_they_found_it(collector, tmp_path):
    thresholds = gc.get_threshold()
    product = tmp_path / "mesh" / "dataproduct.yaml"
    product.parent.mkdir()
    product.write_text(one_dataset_product())
    result = api.check(product, targets=["avro"])
    assert result.mesh is not None and not result.diagnostics.has_errors
    built = api.build(product, output=tmp_path / "out", targets=["avro"])
    assert built.written
    assert (gc.get_freeze_count(), gc.get_threshold(), gc.isenabled()) == (0, thresholds, True)
    product.write_text(one_dataset_product().replace("type: long", "type: lung"))  # an error: nothing is built
    with pytest.raises(ViolationsFound):
        api.build(product, output=tmp_path / "out", targets=["avro"])
    assert (gc.get_freeze_count(), gc.get_threshold(), gc.isenabled()) == (0, thresholds, True)
