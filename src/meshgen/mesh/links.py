"""Where a product's documentation page lives, for every artifact that links to it.

The docs site (`meshgen docs build`) writes one page per product version at
`products/<domain>/<name>/v<major>/`; catalog entries (DataHub, OpenMetadata, Amundsen,
Backstage) and descriptors (ODCS, ODPS) link there. The absolute address needs the site's
published URL, `site_url:` in meshgen.yaml; without it there is no absolute link and
targets leave the link out (never an invented host).
"""

from __future__ import annotations

from typing import Optional

from meshgen.model.models import parse_address


def product_page_path(address: str) -> str:
    """The page of `data://domain/name/vN`, relative to the site root, as a directory URL."""
    parsed = parse_address(address)
    if parsed is None:
        raise ValueError(f"not a product address: {address!r}")
    domain, name, major = parsed
    return f"products/{domain}/{name}/v{major}/"


def product_page_url(site_url: Optional[str], address: str) -> Optional[str]:
    """The absolute URL of the product's page, or None when the mesh has no `site_url`."""
    if not site_url:
        return None
    return site_url.rstrip("/") + "/" + product_page_path(address)
