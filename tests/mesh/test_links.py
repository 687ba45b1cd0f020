"""The one place that says where a product's docs page is, and the `site_url` it hangs from."""

import pytest
from pydantic import ValidationError

from meshgen.mesh.config import MeshConfig
from meshgen.mesh.links import product_page_path, product_page_url


def test_page_path_is_per_version():
    assert product_page_path("data://checkout/orders/v2") == "products/checkout/orders/v2/"


def test_no_site_url_means_no_absolute_link():
    assert product_page_url(None, "data://checkout/orders/v1") is None
    assert product_page_url("https://d.example/mesh", "data://a/b/v1") == "https://d.example/mesh/products/a/b/v1/"


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://x/", "https://x/?q=1", "https://x y/", ""])
def test_site_url_must_be_http(bad):
    with pytest.raises(ValidationError):
        MeshConfig(site_url=bad)


def test_not_an_address_is_refused():
    with pytest.raises(ValueError):
        product_page_path("checkout/orders")
