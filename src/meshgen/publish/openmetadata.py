"""`meshgen publish openmetadata`: the openmetadata target's requests, sent to a server.

The requests come from a build run in memory (`api.publish_openmetadata`): the same bytes
`meshgen build -t openmetadata` writes, never stale output from an earlier build. Each product's
`requests.json` is already in dependency order; across products the requests are ordered by
entity kind (every classification, then every tag, ..., then tables and topics), and an entity
two products describe identically (their domain, a service, a schema) is sent once.

Each request is `PUT <server>/api/v1/...` (create or update) with the bearer token. The first
failure stops the run: an HTTP error is PublishRefused (exit 1) with the server's message, an
unreachable server ServerUnreachable (exit 2). Redirects are never followed, so the token
never goes to another address; no message ever holds the token.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from meshgen.errors import PublishRefused, ServerUnreachable, UsageError, ViolationsFound
from meshgen.targets.openmetadata import ENDPOINTS, INDEX

TIMEOUT = 60  # seconds per request
ANSWER_LIMIT = 1 << 20  # bytes of a response read (a success or an error body)
KIND_OF_PATH = {path: kind for kind, (_, path) in ENDPOINTS.items()}


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # the API path, /api/v1/tables
    fqn: str
    body: str  # the body file's text, sent as its UTF-8 bytes
    file: str  # where `meshgen build` writes the body, inside the output folder


@dataclass(frozen=True)
class Response:
    request: Request
    status: int
    fqn: str  # the entity's fullyQualifiedName as the server answered it (else the request's)


def requests_from(files: Mapping[str, str]) -> list[Request]:
    """Every request of the openmetadata units' files (output path → text), in dependency order,
    each entity once. Two products describing one entity differently is ViolationsFound."""
    rank = {path: i for i, (_, path) in enumerate(ENDPOINTS.values())}
    found: dict[tuple[str, str], Request] = {}
    for index_path in sorted(p for p in files if p.endswith(f"/openmetadata/{INDEX}")):
        folder = index_path.rpartition("/")[0]
        for entry in json.loads(files[index_path])["requests"]:
            file = f"{folder}/{entry['body']}"
            request = Request(entry["method"], entry["path"], entry["fqn"], files[file], file)
            seen = found.setdefault((request.path, request.fqn), request)
            if seen.body != request.body:
                raise ViolationsFound(f"{KIND_OF_PATH[request.path]} {request.fqn} is described differently by "
                                      f"{seen.file} and {request.file}; nothing was sent (give the products' ports "
                                      "distinct locations, or publish one product at a time with PATH)")
    return sorted(found.values(), key=lambda r: rank[r.path])  # stable: each product's own order is kept


def server_base(server: str) -> str:
    """`https://host[:port][/prefix]` without a trailing `/` or `/api` (OpenMetadata's clients are
    often configured with `.../api`); a user, query or fragment in it is a usage error."""
    parts = urllib.parse.urlsplit(server.strip())
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.username is not None
            or parts.password is not None or parts.query or parts.fragment):
        raise UsageError(f"--server {server!r} is not a server address: give http(s)://host[:port][/path] "
                         "(no user, query or fragment; the token comes from --token-env)")
    path = parts.path.rstrip("/")
    path = path[:-4] if path.endswith("/api") else path
    return f"{parts.scheme}://{parts.netloc}{path}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as the HTTP error it is: the token is never sent on to another URL."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 (urllib's signature)
        return None


def send_all(requests: list[Request], server: str, token: str, report: Callable[[str], None]) -> list[Response]:
    """Send every request in order, reporting `<status> <kind> <fqn>` per entity; stop at the first failure."""
    base = server_base(server)
    try:
        token.encode("latin-1")
    except UnicodeEncodeError:
        raise UsageError("the token holds characters an HTTP header cannot carry; check the variable --token-env names")
    opener = urllib.request.build_opener(_NoRedirects)
    responses = []
    for number, request in enumerate(requests):
        try:
            status, answer = _send(opener, base, request, token)
        except (PublishRefused, ServerUnreachable) as exc:
            left = len(requests) - number - 1
            note = f"; {number} sent before it, {left} not sent" if left or number else ""
            raise type(exc)(_redact(str(exc), token) + note) from None
        fqn = answer.get("fullyQualifiedName") if isinstance(answer, dict) else None
        fqn = fqn if isinstance(fqn, str) and fqn else request.fqn
        report(f"{status} {KIND_OF_PATH[request.path]} {fqn}")
        responses.append(Response(request, status, fqn))
    return responses


def dry_run(requests: list[Request], server: str, report: Callable[[str], None], *, bodies: bool = False) -> None:
    """What `send_all` would send: `<method> <url> <fqn> (<file>)` per request, with the body if asked."""
    base = server_base(server)
    for request in requests:
        report(f"{request.method} {base}{request.path} {request.fqn} ({request.file})")
        if bodies:
            for line in request.body.splitlines():
                report(line)


def _send(opener, base: str, request: Request, token: str) -> tuple[int, Any]:
    url = base + request.path
    what = f"{request.method} {url} ({KIND_OF_PATH[request.path]} {request.fqn})"
    http_request = urllib.request.Request(url, data=request.body.encode("utf-8"), method=request.method, headers={
        "Content-Type": "application/json", "Accept": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with opener.open(http_request, timeout=TIMEOUT) as answer:
            return answer.status, _json(answer.read(ANSWER_LIMIT))
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise PublishRefused(f"{what}: the server answered {exc.code} {exc.reason}, a redirect to "
                                 f"{exc.headers.get('Location', '?')}, which is not followed (the token would go "
                                 "with it); give the address it redirects to as --server") from None
        raise PublishRefused(f"{what}: the server answered {exc.code} {exc.reason}: {_summary(exc)}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ServerUnreachable(f"{what}: cannot reach the server: {reason}") from None


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _summary(exc: urllib.error.HTTPError) -> str:
    """The server's own message (OpenMetadata answers {"code": ..., "message": ...}), else the start of its text."""
    try:
        data = exc.read(ANSWER_LIMIT)
    except OSError:
        data = b""
    answer = _json(data)
    if isinstance(answer, dict) and isinstance(answer.get("message"), str):
        text = answer["message"]
    else:
        text = data.decode("utf-8", "replace")
    text = " ".join(text.split())
    return (text[:500] + "...") if len(text) > 500 else (text or "(no message)")


def _redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text
