"""`meshgen publish openmetadata` against a real HTTP server on 127.0.0.1 (http.server in a thread)
that records every request: the order, methods, paths, bodies (the bytes `meshgen build` writes),
the Authorization header from the environment variable; an error answer, a redirect and an
unreachable server end in a diagnostic and an exit code, never a traceback or the token."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.errors import ViolationsFound
from meshgen.publish.openmetadata import requests_from
from meshgen.targets.openmetadata import ENDPOINTS
from tests.support import SPECS, copy_source
from tests.support.golden import case_source

CASE = case_source("catalog")  # the openmetadata target's golden case
TOKEN = "eyJhbGciOiJSUzI1NiJ9.meshgen-test-token.c2lnbmF0dXJl"
ORDER = [path for _, path in ENDPOINTS.values()]


class Recorder:
    """A server that records each request and answers as `answer(path, body)` says (default 201)."""

    def __init__(self, answer=None):
        self.requests: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append({"method": "PUT", "path": self.path, "body": body,
                                          "headers": {k.lower(): v for k, v in self.headers.items()}})
                status, headers, text = (answer or _created)(self.path, body)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                data = text.encode("utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _created(path: str, body: bytes):
    return 201, {"Content-Type": "application/json"}, json.dumps({"name": json.loads(body)["name"], "id": "x"})


@pytest.fixture
def recorder():
    servers = []

    def start(answer=None):
        servers.append(Recorder(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def publish(mesh: Path, *args: str, token: str | None = TOKEN):
    env = {k: v for k, v in os.environ.items() if k != "OM_TEST_TOKEN"}
    if token is not None:
        env["OM_TEST_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "meshgen", "publish", "openmetadata", str(mesh), "--token-env",
                           "OM_TEST_TOKEN", *args], env=env, capture_output=True, text=True, timeout=600)


def built_requests(mesh: Path, out: Path) -> list[tuple[str, dict, bytes]]:
    """(product folder, index entry, body bytes) of every request the build wrote, per product in order."""
    build(mesh, output=out, targets=["openmetadata"])
    found = []
    for index in sorted(out.rglob("openmetadata/requests.json")):
        for entry in json.loads(index.read_text(encoding="utf-8"))["requests"]:
            found.append((index.parent.as_posix(), entry, (index.parent / entry["body"]).read_bytes()))
    return found


@pytest.mark.parametrize("source", ["specs", "catalog"])
def test_every_entity_is_put_once_in_dependency_order_with_the_built_bytes(source, recorder, tmp_path):
    mesh = copy_source(SPECS if source == "specs" else CASE, tmp_path / "src")
    expected = built_requests(mesh, tmp_path / "out")
    server = recorder()
    proc = publish(mesh, "--server", server.url + "/api")
    assert proc.returncode == 0, proc.stderr
    sent = [(r["path"], r["body"]) for r in server.requests]
    assert {r["method"] for r in server.requests} == {"PUT"}
    assert len(sent) == len(set(sent)) == len({(e["path"], e["fqn"]) for _, e, _ in expected})
    assert set(sent) == {(e["path"], body) for _, e, body in expected}  # bodies equal to the files, byte for byte
    ranks = [ORDER.index(path) for path, _ in sent]
    assert ranks == sorted(ranks)  # every classification before every tag, ..., tables and topics last
    assert {r["headers"]["authorization"] for r in server.requests} == {f"Bearer {TOKEN}"}
    assert {r["headers"]["content-type"] for r in server.requests} == {"application/json"}
    lines = proc.stdout.splitlines()
    assert len(lines) == len(sent) and all(line.startswith("201 ") for line in lines)
    assert lines[0] == "201 classification DataClassification"
    assert TOKEN not in proc.stdout + proc.stderr


def test_the_first_error_stops_the_run_with_the_servers_message(recorder, tmp_path):
    def refuse_tables(path, body):
        if path == "/api/v1/tables":
            return 400, {"Content-Type": "application/json"}, json.dumps(
                {"code": 400, "message": f"Invalid column name [\"x\"]; token {TOKEN} was rejected\n\x1b[31m"})
        return _created(path, body)

    mesh = copy_source(CASE, tmp_path / "src")
    server = recorder(refuse_tables)
    proc = publish(mesh, "--server", server.url)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert [r["path"] for r in server.requests].count("/api/v1/tables") == 1  # nothing after the refused one
    assert server.requests[-1]["path"] == "/api/v1/tables"
    assert "400" in proc.stderr and 'Invalid column name ["x"]' in proc.stderr
    assert "snowflake_prod.ANALYTICS.QA.ODD_RECORDS" in proc.stderr
    assert "not sent" in proc.stderr and "Traceback" not in proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr and "\x1b" not in proc.stderr


def test_an_unreachable_server_is_a_diagnostic_with_exit_2(tmp_path):
    with socket.socket() as s:  # a port nothing listens on once it is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mesh = copy_source(CASE, tmp_path / "src")
    proc = publish(mesh, "--server", f"http://127.0.0.1:{port}")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cannot reach the server" in proc.stderr and f"127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr and TOKEN not in proc.stdout + proc.stderr


def test_a_redirect_is_not_followed_so_the_token_stays_with_the_server(recorder, tmp_path):
    elsewhere = recorder()

    def redirect(path, body):
        return 307, {"Location": elsewhere.url + path}, ""

    server = recorder(redirect)
    mesh = copy_source(CASE, tmp_path / "src")
    proc = publish(mesh, "--server", server.url)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert len(server.requests) == 1 and elsewhere.requests == []
    assert "307" in proc.stderr and "not followed" in proc.stderr and TOKEN not in proc.stderr


def test_dry_run_sends_nothing_and_needs_no_token(recorder, tmp_path):
    server = recorder()
    mesh = copy_source(CASE, tmp_path / "src")
    expected = built_requests(mesh, tmp_path / "out")
    proc = publish(mesh, "--server", server.url, "--dry-run", token=None)
    assert proc.returncode == 0, proc.stderr
    assert server.requests == []
    lines = proc.stdout.splitlines()
    assert len(lines) == len({(e["path"], e["fqn"]) for _, e, _ in expected})
    assert lines[0] == (f"PUT {server.url}/api/v1/classifications DataClassification "
                        "(qa/hostile/v1/openmetadata/classifications/DataClassification.json)")
    verbose = publish(mesh, "--server", server.url, "--dry-run", "-v", token=None)
    assert '  "name": "DataClassification"' in verbose.stdout.splitlines()  # each body, line by line


@pytest.mark.parametrize("token", [None, ""])
def test_a_missing_token_variable_is_a_usage_error(token, recorder, tmp_path):
    server = recorder()
    proc = publish(copy_source(CASE, tmp_path / "src"), "--server", server.url, token=token)
    assert proc.returncode == 2 and "OM_TEST_TOKEN" in proc.stderr and server.requests == []


def test_a_server_address_with_credentials_is_refused(recorder, tmp_path):
    proc = publish(copy_source(CASE, tmp_path / "src"), "--server", "https://user:pw@example.com/")
    assert proc.returncode == 2 and "no user, query or fragment" in proc.stderr


def test_two_products_describing_one_entity_differently_is_refused_before_sending():
    index = {"requests": [{"method": "PUT", "path": "/api/v1/domains", "fqn": "d", "body": "domains/d.json"}]}
    files = {"a/x/v1/openmetadata/requests.json": json.dumps(index), "a/x/v1/openmetadata/domains/d.json": "{}",
             "a/y/v1/openmetadata/requests.json": json.dumps(index), "a/y/v1/openmetadata/domains/d.json": '{"x":1}'}
    with pytest.raises(ViolationsFound, match="described differently"):
        requests_from(files)
    files["a/y/v1/openmetadata/domains/d.json"] = "{}"
    assert len(requests_from(files)) == 1
