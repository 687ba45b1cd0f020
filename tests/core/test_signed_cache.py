"""meshgen.signed_cache: records this user signed are read back; any other is ignored."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest

from meshgen import signed_cache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(signed_cache.CACHE_VARIABLE, str(folder))
    return folder


def test_a_record_reads_back_and_the_key_is_private(cache):
    assert signed_cache.write_record("build", "ab12", {"x": [1, "é"]})
    assert signed_cache.read_record("build", "ab12") == {"x": [1, "é"]}
    assert os.stat(cache / "key").st_mode & 0o777 == 0o600
    assert signed_cache.read_record("build", "cd34") is None


def _body(path):
    return path.read_bytes().partition(b"\n")[2]


def test_an_altered_a_moved_and_a_forged_record_are_ignored(cache):
    signed_cache.write_record("build", "ab12", {"products": 7})
    path = signed_cache.record_path("build", "ab12")
    signature = path.read_bytes().partition(b"\n")[0]
    path.write_bytes(signature + b"\n" + _body(path).replace(b"7", b"8"))
    assert signed_cache.read_record("build", "ab12") is None
    signed_cache.write_record("build", "ab12", {"products": 7})
    moved = signed_cache.record_path("build", "cd34")
    moved.write_bytes(path.read_bytes())  # another name: the signature names the record
    assert signed_cache.read_record("build", "cd34") is None
    assert signed_cache.read_record("product", "ab12") is None
    body = b'{"products":8}'
    forged = hmac.new(os.urandom(32), b"build/ab12\0" + body, hashlib.sha256).hexdigest().encode()
    path.write_bytes(forged + b"\n" + body)
    assert signed_cache.read_record("build", "ab12") is None
    path.write_bytes(b"not a record")
    assert signed_cache.read_record("build", "ab12") is None


def test_a_symlinked_or_special_record_is_never_read(cache, tmp_path):
    signed_cache.write_record("build", "ab12", {"products": 7})
    path = signed_cache.record_path("build", "ab12")
    real = tmp_path / "elsewhere.json"
    real.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(real)
    assert signed_cache.read_record("build", "ab12") is None
    path.unlink()
    os.mkfifo(path)  # never waited on
    assert signed_cache.read_record("build", "ab12") is None


def test_a_key_others_can_read_is_not_used(cache):
    cache.mkdir()
    (cache / "key").write_bytes(b"k" * signed_cache.KEY_BYTES)
    os.chmod(cache / "key", 0o644)
    assert not signed_cache.write_record("build", "ab12", {"products": 7})
    assert signed_cache.read_record("build", "ab12") is None


@pytest.mark.parametrize("kind, name", [("../x", "ab"), ("build", "../../etc"), ("build", "")])
def test_record_names_cannot_leave_the_cache(cache, kind, name):
    with pytest.raises(ValueError):
        signed_cache.record_path(kind, name)


def _age(path, days):
    when = os.stat(path).st_mtime - days * signed_cache.DAY_S
    os.utime(path, (when, when))


def test_records_unused_for_a_month_are_pruned_and_those_read_back_are_kept(cache):
    for name in ("aa11", "bb22", "cc33"):
        assert signed_cache.write_record("parts", name, {"n": name})
    kept, stale, fresh = (signed_cache.record_path("parts", n) for n in ("aa11", "bb22", "cc33"))
    for path in (kept, stale):
        _age(path, signed_cache.KEEP_DAYS + 5)
    assert signed_cache.read_record("parts", "aa11") == {"n": "aa11"}  # read back: marked used
    leftover = cache / "parts" / ".record-killed"
    leftover.write_bytes(b"half")
    _age(leftover, 2)
    outside = cache / "key"
    _age(outside, signed_cache.KEEP_DAYS + 5)  # the key is no record: never removed
    assert signed_cache.prune() == 2
    assert kept.exists() and fresh.exists() and not stale.exists() and not leftover.exists()
    assert signed_cache.read_record("parts", "aa11") == {"n": "aa11"} and outside.exists()


def test_the_first_write_of_a_day_prunes_and_later_writes_do_not(cache, monkeypatch):
    signed_cache.write_record("parts", "aa11", {"n": 1})
    signed_cache._prune_daily_at.cache_clear()
    mark = cache / "pruned"
    assert mark.exists()  # the first write pruned the (empty) folder
    old = signed_cache.record_path("parts", "aa11")
    _age(old, signed_cache.KEEP_DAYS + 1)
    signed_cache.write_record("parts", "bb22", {"n": 2})
    assert old.exists()  # pruned less than a day ago: not again
    _age(mark, 2)
    signed_cache._prune_daily_at.cache_clear()
    signed_cache.write_record("parts", "cc33", {"n": 3})
    assert not old.exists() and signed_cache.read_record("parts", "bb22") == {"n": 2}
