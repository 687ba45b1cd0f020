"""Reading the indexes that `indexes:` in meshgen.yaml lists (docs/polyrepo.md).

An entry is a path (relative to meshgen.yaml), a `file://` URL or an `https://` URL (`http://`
only to 127.0.0.1 or localhost). URLs are fetched with the standard library: no redirect is
followed, at most `MAX_INDEX_BYTES` are read, TLS is verified with the system's CA store
(`SSL_CERT_FILE` names another bundle). A fetched index is cached in the mesh root under
`.meshgen/cache/indexes/`, named by the SHA-256 of its URL (nothing the server sends names a
path), with its ETag and Last-Modified for the next conditional request. Offline
(`MESHGEN_OFFLINE=1`, or `--offline`), URLs are read from the cache only.

Every index is untrusted: it must be UTF-8 JSON of the shape of docs/index.schema.json, and each
product in it must validate as a product; an index that cannot be read stops the command with
a diagnostic at its `indexes:` line.
"""

from __future__ import annotations

import hashlib
import json
import os
import ssl
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from meshgen import __version__
from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.errors import InputError, UsageError
from meshgen.load.files import read_bytes
from meshgen.load.nesting import MAX_DEPTH
from meshgen.load.yaml_source import Document, SourceMap
from meshgen.mesh.config import CONFIG_FILE, MeshConfig
from meshgen.mesh.index import ForeignProduct, JsonPositions, foreign_products, json_too_deep
from meshgen.model.loader import ProductFile

MAX_INDEX_BYTES = 8 * 1024 * 1024
CACHE_FOLDER = ".meshgen/cache/indexes"
OFFLINE_VARIABLE = "MESHGEN_OFFLINE"
TIMEOUT_SECONDS = 20


def offline() -> bool:
    return os.environ.get(OFFLINE_VARIABLE, "").strip().lower() in ("1", "true", "yes")


class _Failure(Exception):
    """An index could not be read: (code, message, hint), reported at its `indexes:` line."""


def read_indexes(root: Path, config: MeshConfig, config_source: SourceMap | None,
                 local: list[ProductFile]) -> tuple[list[ForeignProduct], list[Diagnostic]]:
    """The products of every index of `config` that concern this mesh's products, `local` (the
    first definition of an address wins, and this mesh's wins over any index), and the warnings
    about them. An index that cannot be read raises UsageError; one that is not an index raises
    InputError.

    A product of an index concerns this mesh when a product here reads it, or when it reads a
    product of a domain this mesh has (also a version no longer here, so that removing it names
    its consumers): only those are validated and kept."""
    reads = {port.product for pf in local for port in pf.product.inputPorts}
    domains = {pf.product.domain for pf in local}

    def concerns(entry: dict) -> bool:
        return entry["address"] in reads or any(port["product"].split("/")[2:3] == [domain]
                                                for port in entry["inputPorts"] for domain in domains)

    products: list[ForeignProduct] = []
    warnings: list[Diagnostic] = []
    seen = {pf.product.address: "this mesh" for pf in local}
    for i, entry in enumerate(config.indexes):
        where = config_source.location(("indexes", i)) if config_source else Location(CONFIG_FILE)
        found, problems = _read_index(root, entry, where, concerns)
        warnings.extend(problems)
        for pf in found:
            address = pf.product.address
            if address in seen:
                warnings.append(Diagnostic(
                    "INDEX005", Severity.WARNING, f"{entry} defines {address}, which {seen[address]} defines too; "
                    f"the product of {seen[address]} is used", where,
                    "a product is published by one repository: remove the duplicate, or this index entry",
                    related=(pf.location("address"),)))
                continue
            seen[address] = entry
            products.append(pf)
    return products, warnings


def _read_index(root: Path, entry: str, where: Location,
                concerns: Callable[[dict], bool]) -> tuple[list[ForeignProduct], list[Diagnostic]]:
    try:
        raw, shown, keep = _fetch(root, entry)
    except _Failure as failure:
        code, message, hint = failure.args
        error = UsageError if code != "INDEX003" else InputError
        raise error(message, [Diagnostic(code, Severity.ERROR, message, where, hint)]) from None
    document = _parse(raw, shown, entry, where)
    products, problems = foreign_products(document, entry, concerns)
    if any(d.code == "INDEX004" for d in problems):
        raise InputError(f"{entry} is not a meshgen index", [_with_related(d, where) for d in problems])
    keep()  # cached only once it proved to be an index
    return products, problems


def _with_related(d: Diagnostic, where: Location) -> Diagnostic:
    return Diagnostic(d.code, d.severity, d.message, d.location, d.hint, d.name, (*d.related, where))


def _parse(raw: bytes, shown: str, entry: str, where: Location):
    def malformed(message: str, at: Location) -> InputError:
        return InputError(f"{entry} is not a meshgen index", [Diagnostic(
            "INDEX004", Severity.ERROR, f"{entry} is not a meshgen index: {message}", at,
            "publish it with `meshgen build` (it writes <output>/_mesh/index.json)", related=(where,))])

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed("it is not UTF-8", Location(shown)) from None
    too_deep = json_too_deep(text, MAX_DEPTH)
    if too_deep is not None:
        line = text.count("\n", 0, too_deep) + 1
        raise malformed(f"nested deeper than {MAX_DEPTH} levels",
                        Location(shown, line, too_deep - (text.rfind("\n", 0, too_deep) + 1) + 1))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        line, col = (exc.lineno, exc.colno) if isinstance(exc, json.JSONDecodeError) else (1, 1)
        raise malformed(f"not JSON ({getattr(exc, 'msg', 'nested too deep')})", Location(shown, line, col)) from None
    return Document(Path(shown), data, JsonPositions(text, shown))


# ---- fetching ------------------------------------------------------------------------------------

def _fetch(root: Path, entry: str) -> tuple[bytes, str, Callable[[], None]]:
    """The index's bytes, the name positions show, and what to run once it proved to be an index
    (cache a download)."""
    if entry.startswith(("https://", "http://")):
        return _fetch_url(root, entry)
    path = Path(entry[len("file://"):]) if entry.startswith("file://") else root / entry
    shown = entry
    if not path.is_file():
        raise _Failure("INDEX001", f"index {entry} cannot be read: {path} is not a file",
                       "build the other mesh first (meshgen build writes <output>/_mesh/index.json), or fix the path "
                       "(relative to meshgen.yaml)")
    try:
        raw = read_bytes(path, shown, limit=MAX_INDEX_BYTES)
    except InputError as exc:
        if any(d.code == "LOAD009" for d in exc.diagnostics):
            raise _Failure("INDEX003", f"index {entry} is larger than {MAX_INDEX_BYTES} bytes",
                           "check that it is a meshgen index; the limit keeps a hostile file from exhausting memory") \
                from None
        raise _Failure("INDEX001", f"index {entry} cannot be read: {exc.diagnostics[0].message if exc.diagnostics else exc}",
                       "name a regular file") from None
    return raw, shown, lambda: None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: an index is fetched from the address meshgen.yaml names."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 (urllib's signature)
        raise urllib.error.HTTPError(req.full_url, code, f"redirects to {newurl} (not followed)", headers, fp)


def _cache_files(root: Path, url: str) -> tuple[Path, Path]:
    name = hashlib.sha256(url.encode("utf-8")).hexdigest()
    folder = root / CACHE_FOLDER
    return folder / f"{name}.json", folder / f"{name}.meta.json"


def _cached(root: Path, url: str) -> tuple[bytes, dict] | None:
    body, meta = _cache_files(root, url)
    try:
        data = read_bytes(body, str(body), limit=MAX_INDEX_BYTES)
        info = json.loads(read_bytes(meta, str(meta), limit=64 * 1024).decode("utf-8"))
    except (InputError, ValueError, OSError):
        return None
    return (data, info) if isinstance(info, dict) and info.get("url") == url else None


def _fetch_url(root: Path, url: str) -> tuple[bytes, str, Callable[[], None]]:
    cached = _cached(root, url)
    if offline():
        if cached is None:
            raise _Failure("INDEX002", f"offline, and index {url} has never been fetched (no cached copy in "
                                       f"{CACHE_FOLDER}/)", f"run once online (unset {OFFLINE_VARIABLE}) to cache it")
        return cached[0], url, lambda: None
    headers = {"Accept": "application/json", "User-Agent": f"meshgen/{__version__}"}
    if cached is not None:
        if cached[1].get("etag"):
            headers["If-None-Match"] = str(cached[1]["etag"])
        if cached[1].get("last_modified"):
            headers["If-Modified-Since"] = str(cached[1]["last_modified"])
    opener = urllib.request.build_opener(_NoRedirects, urllib.request.HTTPSHandler(context=ssl.create_default_context()))
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_SECONDS) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_INDEX_BYTES:
                raise _too_large(url)
            raw = response.read(MAX_INDEX_BYTES + 1)
            meta = {"url": url, "etag": response.headers.get("ETag"),
                    "last_modified": response.headers.get("Last-Modified")}
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and cached is not None:
            return cached[0], url, lambda: None
        raise _Failure("INDEX001", f"index {url} cannot be read: the server answered {exc.code} {exc.reason}",
                       "check the URL; the other repository publishes <output>/_mesh/index.json") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        tls = isinstance(reason, ssl.SSLError)
        raise _Failure("INDEX001", f"index {url} cannot be reached: {reason}",
                       ("the server's certificate is not trusted: name the CA bundle with SSL_CERT_FILE=/path/ca.pem"
                        if tls else "check the URL and the network")
                       + (f"; to use the copy cached earlier, run offline ({OFFLINE_VARIABLE}=1 or --offline)"
                          if cached is not None else "")) from None
    if len(raw) > MAX_INDEX_BYTES:
        raise _too_large(url)
    return raw, url, lambda: _store(root, url, raw, meta)


def _too_large(url: str) -> _Failure:
    return _Failure("INDEX003", f"index {url} is larger than {MAX_INDEX_BYTES} bytes",
                    "check that it is a meshgen index; the limit keeps a hostile server from exhausting memory")


def _store(root: Path, url: str, raw: bytes, meta: dict) -> None:
    """Cache a fetched index atomically (a failure to cache is not a failure to build)."""
    for path, data in zip(_cache_files(root, url), (raw, json.dumps(meta, sort_keys=True).encode("utf-8"))):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError:
            return
