"""Records meshgen keeps between runs on this machine (a build's fingerprint and findings, the
per-product parts of a mesh unit), signed so that a record planted in a repository or an output
folder is never believed.

Records live in this user's cache folder, `$MESHGEN_CACHE` (default
`${XDG_CACHE_HOME:-~/.cache}/meshgen/records`), never in the mesh or the output, as
`<kind>/<name>.json`: an HMAC-SHA256 (hex) and a line of JSON. The key is `key` in that folder,
32 random bytes made on first use with mode 0600; a key another user could read or write is not
used, and then nothing is cached. Nothing in a record is executed: it is data read back with
`json.loads`, or bytes a caller decodes with a reader as strict (meshgen.mesh.product_cache: a
pickle of meshgen's own model classes, read by an unpickler that builds nothing else); one whose
signature, kind, shape or size is wrong, or that is not a regular file, is ignored and the work is
done again. A record cannot be made on another machine, so a fresh clone (CI) always
does the work itself.

The folder stays bounded: a record read back is marked used (its mtime, at most once a day), and
at most once a day the first record a process writes first removes every record unused for
KEEP_DAYS days and any temporary file a killed write left. Deleting the folder is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

CACHE_VARIABLE = "MESHGEN_CACHE"
KEY_BYTES = 32
MAX_RECORD_BYTES = 64 * 1024 * 1024
KEEP_DAYS = 30  # a record unused this long is removed
DAY_S = 24 * 3600
_PRUNE_MARK = "pruned"  # the file whose mtime says when the folder was last pruned


def cache_folder() -> Path:
    named = os.environ.get(CACHE_VARIABLE, "").strip()
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "meshgen" / "records"


@functools.cache
def _key_at(path: Path) -> bytes | None:
    """This user's key at `path`, made when there is none; None when it cannot be trusted or made."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return _make_key(path)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        private = stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077
        key = os.read(fd, KEY_BYTES + 1) if private else b""
    finally:
        os.close(fd)
    return key if len(key) == KEY_BYTES else None


def _make_key(path: Path) -> bytes | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    except FileExistsError:  # another meshgen made it meanwhile
        _key_at.cache_clear()
        return _key_at(path)
    except OSError:
        return None
    key = os.urandom(KEY_BYTES)
    try:
        os.write(fd, key)
    finally:
        os.close(fd)
    return key


def cache_key() -> bytes | None:
    return _key_at(cache_folder() / "key")


def record_path(kind: str, name: str) -> Path:
    """Where the record `name` (a hex digest) of `kind` lives."""
    if not (kind.isidentifier() and name.isalnum()):
        raise ValueError(f"bad record name {kind}/{name}")
    return cache_folder() / kind / f"{name}.json"


def _signature(key: bytes, kind: str, name: str, body: bytes) -> str:
    """Kind and name are signed too: a record copied to another name is not believed there."""
    return hmac.new(key, f"{kind}/{name}".encode("utf-8") + b"\0" + body, hashlib.sha256).hexdigest()


def write_record(kind: str, name: str, value: Any) -> bool:
    """Store `value` (JSON data) signed as the record `name` of `kind`, atomically; False when it could not be."""
    try:
        body = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except ValueError:  # a lone surrogate (an escape in a product's YAML) has no UTF-8: not cached
        return False
    return write_bytes_record(kind, name, body)


def write_bytes_record(kind: str, name: str, body: bytes) -> bool:
    """Store `body` signed as the record `name` of `kind`, atomically; False when it could not be."""
    key = cache_key()
    if key is None or len(body) > MAX_RECORD_BYTES:  # too big: it would never be read back
        return False
    path = record_path(kind, name)
    _prune_daily()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".record-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_signature(key, kind, name, body).encode("ascii") + b"\n" + body)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:  # a cache that cannot be written is no reason to fail
        return False
    return True


def read_record(kind: str, name: str) -> Any | None:
    """The value of the record `name` of `kind`, when this user's key signed it; else None."""
    body = read_bytes_record(kind, name)
    if body is None:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:
        return None


def read_bytes_record(kind: str, name: str) -> bytes | None:
    """The bytes of the record `name` of `kind`, when this user's key signed them; else None."""
    key = cache_key()
    if key is None:
        return None
    path = record_path(kind, name)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RECORD_BYTES:
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    signature, _, body = b"".join(chunks).partition(b"\n")
    if not hmac.compare_digest(signature, _signature(key, kind, name, body).encode("ascii")):
        return None
    if time.time() - info.st_mtime > DAY_S:  # in use: kept from pruning for another KEEP_DAYS days
        try:
            os.utime(path, follow_symlinks=False)
        except OSError:
            pass
    return body


def _prune_daily() -> None:
    _prune_daily_at(cache_folder())


@functools.cache
def _prune_daily_at(folder: Path) -> None:
    """Once per process and folder, when it was not pruned in the last day: `prune()`."""
    mark = folder / _PRUNE_MARK
    try:
        if time.time() - os.lstat(mark).st_mtime < DAY_S:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    prune()


def prune(keep_days: float = KEEP_DAYS) -> int:
    """Remove every record not read or written for `keep_days` days, and every temporary file of
    a write older than a day; returns how many files were removed. Only regular files named as
    records are removed, inside the kinds' folders of this user's cache."""
    folder, now, removed = cache_folder(), time.time(), 0
    try:
        kinds = [entry for entry in os.scandir(folder) if entry.is_dir(follow_symlinks=False) and entry.name.isidentifier()]
    except OSError:
        return 0
    for kind in kinds:
        try:
            entries = list(os.scandir(kind.path))
        except OSError:
            continue
        for entry in entries:
            removed += _removed_if_stale(entry, now, keep_days)
    try:
        (folder / _PRUNE_MARK).touch()
    except OSError:
        pass
    return removed


def _removed_if_stale(entry: os.DirEntry, now: float, keep_days: float) -> int:
    record = entry.name.endswith(".json") and entry.name[:-5].isalnum()
    temporary = entry.name.startswith(".record-")
    try:
        info = entry.stat(follow_symlinks=False)
        age = now - info.st_mtime
        if stat.S_ISREG(info.st_mode) and ((record and age > keep_days * DAY_S) or (temporary and age > DAY_S)):
            os.unlink(entry.path)
            return 1
    except OSError:
        pass
    return 0
