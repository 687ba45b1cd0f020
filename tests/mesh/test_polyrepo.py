"""Issue 14, polyrepo meshes: `indexes:` in meshgen.yaml lists other repositories' indexes (a path,
file://, https:// served here by a real TLS server on 127.0.0.1 with a certificate made by the
`openssl` program); input ports resolve across repositories, and a producer's build fails naming
the consumer that lives in another repository."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.mesh.polyrepo_support import PRODUCER, TOTAL, consumer_repo, git_commit, producer_repo, write
from tests.support import need_executable

INDEX = "build/_mesh/index.json"


def run(cli, monkeypatch, where: Path, *args: str):
    monkeypatch.chdir(where)
    return cli(*args)


def diagnostics(cli, monkeypatch, where: Path, *args: str) -> tuple[int, list[dict]]:
    result = run(cli, monkeypatch, where, *args, "--format", "json")
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip().startswith("[") else result.output


@pytest.fixture
def repos(tmp_path, cli, monkeypatch):
    """Repository a (sales, producer) built; repository b (finance) reads a's index and is built."""
    a = producer_repo(tmp_path / "a")
    assert run(cli, monkeypatch, a, "build").exit_code == 0
    b = consumer_repo(tmp_path / "b", indexes=["../a/" + INDEX])
    result = run(cli, monkeypatch, b, "build")
    assert result.exit_code == 0, result.output
    return a, b


def test_an_input_port_resolves_against_another_repositorys_product(repos, cli, monkeypatch):
    a, b = repos
    write(b / "revenue" / "dataproduct.yaml", (b / "revenue" / "dataproduct.yaml").read_text().replace(
        "order_id, total", "order_id, totl"))
    code, found = diagnostics(cli, monkeypatch, b, "validate")
    assert code == 1
    [d] = [d for d in found if d["code"] == "MESH004"]
    assert "has no field 'totl'" in d["message"] and d["hint"] == "did you mean 'total'?"
    # b's build never writes artifacts for a's product: foreign products are facts, not builds
    assert not (b / "build" / "sales").exists()
    index = json.loads((b / INDEX).read_text())
    assert [p["address"] for p in index["products"]] == ["data://finance/revenue/v1"]


def test_the_other_repositorys_products_are_graph_facts_but_not_nodes(repos):
    from meshgen.mesh.loader import load_mesh

    a, b = repos
    producer_repo(a, indexes=["../b/" + INDEX])
    for root, address, parents, children in ((b, "data://finance/revenue/v1", ["data://sales/orders/v1"], []),
                                             (a, "data://sales/orders/v1", [], ["data://finance/revenue/v1"])):
        mesh, found = load_mesh(root)
        assert not [d for d in found if d.severity.name == "ERROR"]
        assert mesh.graph.nodes == (address,) and mesh.graph.parents(address) == mesh.graph.children(address) == []
        assert (mesh.graph.foreign_parents(address), mesh.graph.foreign_children(address)) == (parents, children)
        assert [pf.product.address for pf in mesh.products] == [address]
        assert [pf.origin for pf in mesh.foreign] == [("../a/" if root == b else "../b/") + INDEX]


def test_the_producers_build_fails_naming_the_consumer_in_the_other_repository(repos, cli, monkeypatch):
    a, b = repos
    producer_repo(a, total=False, indexes=["../b/" + INDEX])  # a drops `total`, which b reads
    result = run(cli, monkeypatch, a, "build")
    assert result.exit_code == 1, result.output
    code, found = diagnostics(cli, monkeypatch, a, "build")
    [d] = [d for d in found if d["code"] == "MESH007"]
    assert d["file"] == "orders/dataproduct.yaml" and d["severity"] == "error"
    assert "data://finance/revenue/v1 (finance-team, input port 'orders', in another repository: index ../b/" \
           "build/_mesh/index.json) reads field 'total'" in d["message"]
    assert d["related"][0]["file"] == "../b/" + INDEX  # the consumer's input port, in the index it came from
    assert "total" in (a / INDEX).read_text()  # nothing was written: the previous index stays


def test_check_against_git_and_diff_name_the_consumer_in_the_other_repository(repos, cli, monkeypatch):
    a, b = repos
    producer_repo(a, indexes=["../b/" + INDEX])
    git_commit(a)
    old = a.parent / "old.yaml"
    shutil.copy(a / "orders" / "dataproduct.yaml", old)
    producer_repo(a, total=False, indexes=["../b/" + INDEX], version="1.1.0")
    for args in (("check", "--against", "main"), ("diff", str(old), "orders/dataproduct.yaml")):
        code, found = diagnostics(cli, monkeypatch, a, *args)
        assert code == 1, found
        [d] = [d for d in found if d["code"] == "BRK201"]
        assert "used by data://finance/revenue/v1 (finance-team, input port 'orders', in another repository" in d["message"]
        assert "../b/" + INDEX in [r["file"] for r in d["related"]]


def test_removing_a_product_another_repository_reads_names_it(repos, cli, monkeypatch):
    a, b = repos
    producer_repo(a, indexes=["../b/" + INDEX])
    write(a / "other" / "dataproduct.yaml", PRODUCER.replace("name: orders\n", "name: other\n", 1).format(
        version="1.0.0", extra=""))  # the mesh keeps a product, so it still loads
    git_commit(a)
    (a / "orders" / "dataproduct.yaml").unlink()
    code, found = diagnostics(cli, monkeypatch, a, "check", "--against", "main")
    assert code == 1, found
    [d] = [d for d in found if d["code"] == "VERSION005"]
    assert "data://sales/orders/v1 was removed" in d["message"] and "in another repository" in d["message"]


def test_a_third_repository_and_a_product_defined_twice(repos, cli, monkeypatch, tmp_path):
    """Repository c publishes a consumer of a's product too, and a copy of b's product: a names both
    consumers, and the copy is INDEX005 at c's entry (b's, listed first, is used)."""
    a, b = repos
    c = consumer_repo(tmp_path / "c", indexes=["../a/" + INDEX], fields="order_id")
    write(c / "audit" / "dataproduct.yaml", (c / "revenue" / "dataproduct.yaml").read_text().replace(
        "name: revenue", "name: audit", 1).replace("domain: finance", "domain: audit", 1).replace(
        "finance-team", "audit-team").replace("fields: [order_id]", "fields: [order_id, total]"))
    assert run(cli, monkeypatch, c, "build").exit_code == 0
    producer_repo(a, total=False, indexes=["../b/" + INDEX, "../c/" + INDEX])
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 1
    assert sorted(d["message"].split(" (")[0] for d in found if d["code"] == "MESH007") == \
        ["data://audit/audit/v1", "data://finance/revenue/v1"]
    [twice] = [d for d in found if d["code"] == "INDEX005"]
    assert (twice["severity"], twice["line"]) == ("warning", 5) and "data://finance/revenue/v1" in twice["message"]


def test_a_file_url_index(repos, cli, monkeypatch):
    a, b = repos
    producer_repo(a, total=False, indexes=[(b / INDEX).resolve().as_uri()])
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 1 and [d["code"] for d in found if d["code"].startswith("MESH")] == ["MESH007"]


def test_a_missing_index_is_an_error_at_its_line(tmp_path, cli, monkeypatch):
    a = producer_repo(tmp_path / "a", indexes=["../nowhere/index.json"])
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 2
    [d] = found
    assert (d["code"], d["file"], d["line"], d["column"]) == ("INDEX001", "meshgen.yaml", 4, 5)
    assert "../nowhere/index.json" in d["message"]


@pytest.mark.parametrize("entry, problem", [
    ("ftp://example.com/index.json", "unsupported scheme 'ftp'"),
    ("http://example.com/index.json", "plain http:// is allowed only to 127.0.0.1 or localhost"),
    ("file://relative/index.json", "a file:// URL names an absolute path"),
])
def test_a_bad_entry_is_a_positioned_configuration_error(tmp_path, cli, monkeypatch, entry, problem):
    a = producer_repo(tmp_path / "a", indexes=["../b/index.json", entry])
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 1, found
    [d] = found
    assert (d["code"], d["line"]) == ("CONF001", 5) and problem in d["message"]


@pytest.mark.parametrize("text, expected", [
    ("{\"indexFormat\": 1, \"mesh\": \"x\", \"products\": [}", "not JSON"),
    ("indexFormat: 1\nmesh: x\nproducts: []\n", "not JSON"),
    ("{\"indexFormat\": 2, \"mesh\": \"x\", \"products\": []}", "indexFormat"),
    ("{\"indexFormat\": 1, \"mesh\": \"x\", \"products\": [{\"address\": \"data://a/b/v1\"}]}", "missing required key"),
    ("[" * 200 + "]" * 200, "nested deeper than"),
])
def test_a_malformed_index_is_refused_in_the_index(tmp_path, cli, monkeypatch, text, expected):
    write(tmp_path / "other" / "index.json", text)
    a = producer_repo(tmp_path / "a", indexes=["../other/index.json"])
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 2, found
    assert found and all(d["code"] == "INDEX004" and d["file"] == "../other/index.json" for d in found)
    assert expected in found[0]["message"]
    assert found[0]["related"][-1]["file"] == "meshgen.yaml"


def test_a_product_of_an_index_that_is_not_valid_is_left_out_with_a_warning(repos, cli, monkeypatch):
    a, b = repos
    index = json.loads((a / INDEX).read_text())
    index["products"][0]["datasets"][0]["fields"][1]["type"] = "decimal(12,"
    write(a / INDEX, json.dumps(index))
    code, found = diagnostics(cli, monkeypatch, b, "validate")
    assert code == 1
    assert {d["code"] for d in found} == {"INDEX006", "MESH002"}  # b's port now reads nothing known


def test_positions_in_an_index_are_those_the_yaml_loader_finds(repos):
    """Positions of an index come from a scan made only when a diagnostic needs one; on a real
    index they equal the positioned YAML loader's (JSON is YAML 1.2), which is 100x slower."""
    from meshgen.load.yaml_source import parse_yaml
    from meshgen.mesh.index import JsonPositions

    a, b = repos
    for text in ((a / INDEX).read_text(), (b / INDEX).read_text(), '{"a": [1, {"b\\"c": "x,]"}], "d": {}}'):
        expected = parse_yaml(text, "i.json").source
        found = JsonPositions(text, "i.json")
        assert (found.values, found.keys) == (expected.values, expected.keys)


def test_only_the_products_that_concern_this_mesh_are_kept(repos, cli, monkeypatch):
    a, b = repos
    index = json.loads((b / INDEX).read_text())
    unrelated = json.loads(json.dumps(index["products"][0]))
    unrelated.update(address="data://hr/people/v1", domain="hr", name="people", inputPorts=[])
    unrelated["datasets"][0]["fields"][0]["type"] = "no such type"  # never validated: it concerns no one here
    index["products"].append(unrelated)
    write(b / INDEX, json.dumps(index))
    producer_repo(a, indexes=["../b/" + INDEX])
    from meshgen.mesh.loader import load_mesh

    mesh, found = load_mesh(a)
    assert [pf.product.address for pf in mesh.foreign] == ["data://finance/revenue/v1"] and not found


def test_a_local_index_over_the_size_limit_is_refused(tmp_path, cli, monkeypatch):
    from meshgen.mesh.remote import MAX_INDEX_BYTES

    write(tmp_path / "other" / "index.json", " " * (MAX_INDEX_BYTES + 1))
    a = producer_repo(tmp_path / "a", indexes=["../other/index.json"])
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 2 and [d["code"] for d in found] == ["INDEX003"] and found[0]["line"] == 4


# ---- https ----------------------------------------------------------------------------------

class _Server:
    """A real TLS server on 127.0.0.1 serving `pages` (path → bytes) with an ETag each."""

    def __init__(self, cert: Path, key: Path):
        self.pages: dict[str, bytes] = {}
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                body = server.pages.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                etag = f'"{len(body)}-{hash(body) & 0xffff}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def https(tmp_path):
    openssl = need_executable("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server = _Server(cert, key)
    server.cert = cert
    yield server
    server.stop()


def test_an_https_index_is_fetched_cached_revalidated_and_read_offline(repos, https, cli, monkeypatch):
    a, b = repos
    https.pages["/finance/index.json"] = (b / INDEX).read_bytes()
    url = https.url + "/finance/index.json"
    producer_repo(a, total=False, indexes=[url])
    monkeypatch.setenv("SSL_CERT_FILE", str(https.cert))
    monkeypatch.setenv("MESHGEN_OFFLINE", "0")
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 1 and [d["code"] for d in found] == ["MESH007"]
    assert found[0]["related"][0]["file"] == url
    cached = sorted(p.name for p in (a / ".meshgen" / "cache" / "indexes").iterdir())
    assert len(cached) == 2 and cached[0].endswith(".json") and not any("finance" in name for name in cached)
    # the second run asks with the ETag and the server answers 304: the cached copy is used
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 1 and [d["code"] for d in found] == ["MESH007"]
    assert https.requests[-1].get("if-none-match") and len(https.requests) == 2
    # unreachable: an error naming the URL at its meshgen.yaml line, hinting at the cache
    https.stop()
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 2 and [(d["code"], d["file"], d["line"]) for d in found] == [("INDEX001", "meshgen.yaml", 4)]
    assert url in found[0]["message"] and "offline" in found[0]["hint"]
    # offline: the cache, no request
    result = run(cli, monkeypatch, a, "--offline", "validate", "--format", "json")
    assert result.exit_code == 1 and [d["code"] for d in json.loads(result.stdout)] == ["MESH007"]
    shutil.rmtree(a / ".meshgen")
    code, found = diagnostics(cli, monkeypatch, a, "validate")  # MESHGEN_OFFLINE=1 is still set by --offline
    assert code == 2 and [d["code"] for d in found] == ["INDEX002"] and url in found[0]["message"]


def test_an_untrusted_certificate_is_an_error_that_names_the_ca_setting(repos, https, cli, monkeypatch):
    a, b = repos
    https.pages["/i.json"] = (b / INDEX).read_bytes()
    producer_repo(a, indexes=[https.url + "/i.json"])
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("MESHGEN_OFFLINE", "0")
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 2 and [d["code"] for d in found] == ["INDEX001"]
    assert "CERTIFICATE_VERIFY_FAILED" in found[0]["message"] and "SSL_CERT_FILE" in found[0]["hint"]
    assert not (a / ".meshgen").exists()


@pytest.mark.parametrize("page, code", [("/big.json", "INDEX003"), ("/bad.json", "INDEX004"), ("/gone.json", "INDEX001")])
def test_an_https_index_too_large_malformed_or_missing(repos, https, cli, monkeypatch, page, code):
    from meshgen.mesh.remote import MAX_INDEX_BYTES

    a, b = repos
    https.pages["/big.json"] = b" " * (MAX_INDEX_BYTES + 10)
    https.pages["/bad.json"] = b"<html>not an index</html>"
    producer_repo(a, indexes=[https.url + page])
    monkeypatch.setenv("SSL_CERT_FILE", str(https.cert))
    monkeypatch.setenv("MESHGEN_OFFLINE", "0")
    exit_code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert exit_code == 2 and [d["code"] for d in found] == [code]
    assert not (a / ".meshgen").exists()  # nothing that is not an index is cached


def test_an_unreachable_server_without_a_cache(repos, cli, monkeypatch):
    a, _ = repos
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/index.json"
    producer_repo(a, indexes=[url])
    monkeypatch.setenv("MESHGEN_OFFLINE", "0")
    code, found = diagnostics(cli, monkeypatch, a, "validate")
    assert code == 2 and [(d["code"], d["line"], d["column"]) for d in found] == [("INDEX001", 4, 5)]
    assert url in found[0]["message"] and "offline" not in found[0]["hint"]


def test_the_producer_fixture_matches_the_spec(tmp_path):
    """The fixture texts stay valid products (the other tests rely on them)."""
    from meshgen.model.loader import load_product

    path = write(tmp_path / "p.yaml", PRODUCER.format(version="1.0.0", extra=TOTAL))
    pf, diags = load_product(path)
    assert pf is not None and not [d for d in diags if d.severity.name == "ERROR"]
