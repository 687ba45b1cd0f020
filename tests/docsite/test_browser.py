"""Issue 13, in a real browser: the built docs site of the example mesh (specs/) and of a hostile
mesh, served from 127.0.0.1 and opened in Debian's headless Chromium driven by Playwright.

Every page visit records the browser's console errors, uncaught page errors, dialogs and every
request: a request to anything but the test's own server fails the test (and is aborted, so
nothing leaves the machine). Screenshots of the home page and a product page are written to
$MESHGEN_ARTIFACTS (default build/test-artifacts/), whose path the test prints.
"""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from meshgen.mesh.loader import load_mesh
from meshgen.mesh.links import product_page_path
from tests.docsite.conftest import HOSTILE_MESH
from tests.support import ROOT, SPECS
from tests.support.browser import chromium

pytestmark = pytest.mark.integration

ARTIFACTS = Path(os.environ.get("MESHGEN_ARTIFACTS") or ROOT / "build" / "test-artifacts")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the server's access log is not the test's output
        pass


@pytest.fixture(scope="module")
def served(example_site, hostile_site):
    """Both built sites, each on its own 127.0.0.1 port: {"example": url, "hostile": url}."""
    servers, urls = [], {}
    for name, root in (("example", example_site), ("hostile", hostile_site)):
        [site] = list(root.glob("**/site/index.html"))  # where `meshgen docs build` put the HTML
        handler = functools.partial(_QuietHandler, directory=str(site.parent))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls[name] = f"http://127.0.0.1:{server.server_address[1]}/"
    yield urls
    for server in servers:
        server.shutdown()
        server.server_close()


class Visit:
    """One browser page with everything it did recorded."""

    def __init__(self, browser, base: str):
        self.base, self.page = base, browser.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        url = route.request.url
        here = urlsplit(self.base)
        if urlsplit(url).netloc == here.netloc and urlsplit(url).scheme == "http" or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, path: str = ""):
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.ok, (path, response and response.status)
        return self.page

    def assert_clean(self):
        assert self.errors == [], self.errors
        assert self.outside == [], f"requests outside 127.0.0.1: {self.outside}"
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"


@pytest.fixture(scope="module")
def browser():
    with chromium() as context:
        yield context


def example_products() -> dict[str, object]:
    mesh, _ = load_mesh(SPECS)
    return mesh


def test_the_home_page_lists_every_product_of_the_example_mesh_and_draws_the_mesh(served, browser):
    mesh = example_products()
    visit = Visit(browser, served["example"])
    page = visit.open()
    content = page.locator("article")
    for address in mesh.by_address():
        link = content.locator(f'a[href$="{product_page_path(address)}"]')
        assert link.count() >= 1, f"no link to {address} in the home page's content"
    picture = content.locator(".meshgen-lineage svg")
    assert picture.count() == 1
    titles = picture.locator("g.node > title").all_text_contents()
    assert sorted(titles) == sorted(mesh.by_address())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "docs-home.png"), full_page=True)
    print(f"\nscreenshots in {ARTIFACTS}")
    visit.assert_clean()


def test_a_product_page_shows_its_schema_table_and_its_neighbourhood(served, browser):
    mesh = example_products()
    address = "data://checkout/orders/v2"
    visit = Visit(browser, served["example"])
    page = visit.open(product_page_path(address))
    cells = page.locator("article table td").all_text_contents()
    dataset = mesh.get(address).product.dataset("orders")
    for name in ("order_id", "customer_email", "placed_at"):
        assert any(cell.strip().endswith(name) for cell in cells), name
    assert any("uuid" in cell for cell in cells), "the schema table shows the types"
    assert dataset is not None
    picture = page.locator(".meshgen-lineage svg")
    assert picture.count() == 1 and picture.is_visible()
    neighbours = {address, *mesh.graph.parents(address), *mesh.graph.children(address)}
    assert sorted(picture.locator("g.node > title").all_text_contents()) == sorted(neighbours)
    # the consumers: which products read which of its fields (derived from the mesh's input ports)
    consumers = page.locator("xpath=//h2[@id='consumers']/following::table[1]").inner_text()
    readers = mesh.resolved(mesh.get(address)).consumers
    assert readers, "the example's orders v2 is read by other products"
    for link in readers:
        assert link.consumer.product.address in consumers and all(f in consumers for f in link.port.fields), link
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "docs-product-checkout-orders-v2.png"), full_page=True)
    # a node is a link to its product's page, relative to this one
    node = picture.locator("g.node", has=page.locator("title", has_text="data://payments/transactions/v2"))
    node.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url == served["example"] + product_page_path("data://payments/transactions/v2")
    assert mesh.get("data://payments/transactions/v2").product.title in page.locator("article h1").first.text_content()
    visit.assert_clean()


def test_searching_a_field_name_finds_the_product(served, browser):
    visit = Visit(browser, served["example"])
    page = visit.open()
    box = page.locator(".md-search__input")
    box.click()
    # Material's search worker loads the index first ("Initializing search"); keys typed before are lost
    page.wait_for_function("(document.querySelector('.md-search-result__meta') || {}).textContent"
                           " !== 'Initializing search'", timeout=30_000)
    box.press_sequentially("loyalty_tier", delay=30)  # a field of data://users/customers/v1 only
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=30_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(product_page_path("data://users/customers/v1") in (h or "") for h in hrefs), hrefs
    visit.assert_clean()


def test_a_hostile_description_is_shown_as_text_and_runs_nothing(served, browser):
    mesh, _ = load_mesh(HOSTILE_MESH)
    [hostile] = [a for a in mesh.by_address() if "hostile" in a]
    visit = Visit(browser, served["hostile"])
    page = visit.open(product_page_path(hostile))
    text = page.locator("article").inner_text()
    assert "<script>alert('purpose')</script>" in text  # shown as written...
    page.mouse.move(200, 200)
    page.wait_for_timeout(500)  # ...and nothing it holds runs: no dialog, no error, no request out
    assert page.locator("article script").count() == 0
    assert page.locator("article [onerror], article [onclick], article [onload], article iframe").count() == 0
    assert page.evaluate("document.querySelectorAll('a[href^=\"javascript:\"]').length") == 0
    page.screenshot(path=str(ARTIFACTS / "docs-product-hostile.png"), full_page=True)
    visit.assert_clean()
