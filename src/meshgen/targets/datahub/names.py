"""DataHub names: URNs of every entity the datahub target writes, and where each output port lives.

A URN part may hold any text except DataHub's four reserved characters (`,`, `(`, `)` and
U+241F), which are percent-encoded as DataHub's own URN encoder does, so a dataset name or a tag
with a comma still makes one URN that DataHub reads back to the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from meshgen.dialects import DIALECTS, dialect
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, OutputPort

_RESERVED = {",": "%2C", "(": "%28", ")": "%29", "\u241f": "%E2%90%9F"}
_ENCODE = str.maketrans(_RESERVED)

# The DataHub platform of a files port, by the scheme of its location (DataHub's S3, GCS, Azure
# Blob Storage and local-file platforms); a location without a scheme is a local path.
FILE_PLATFORMS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "abfs": "abs", "abfss": "abs",
                  "wasb": "abs", "wasbs": "abs", "hdfs": "hdfs", "file": "file"}
# Warehouses whose DataHub connector writes every name in lower case (Snowflake's
# `convert_urns_to_lowercase` is on by default; Unity Catalog stores names in lower case).
LOWERCASE_PLATFORMS = {"snowflake", "databricks"}
# Warehouses that fold a name written bare to lower case (a quoted one keeps its case).
FOLDING_PLATFORMS = {"postgres", "redshift", "duckdb"}
# REST ports are datasets of DataHub's OpenAPI platform, as its OpenAPI source writes them.
OPENAPI_PLATFORM = "OpenApi"
UNKNOWN_ACTOR = "urn:li:corpuser:unknown"
# Every audit stamp: no clock in generated output (the same bytes on every build).
STAMP = {"time": 0, "actor": UNKNOWN_ACTOR}


def urn_part(text: str) -> str:
    """`text` as one part of a URN: DataHub's reserved characters percent-encoded."""
    return text.translate(_ENCODE)


def dataset_urn(platform: str, name: str, env: str) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:{urn_part(platform)},{urn_part(name)},{env})"


def schema_field_urn(dataset: str, field_path: str) -> str:
    return f"urn:li:schemaField:({dataset},{urn_part(field_path)})"


def tag_urn(name: str) -> str:
    return f"urn:li:tag:{urn_part(name)}"


def domain_urn(domain: str) -> str:
    return f"urn:li:domain:{urn_part(domain)}"


def group_urn(team: str) -> str:
    return f"urn:li:corpGroup:{urn_part(team)}"


def user_urn(person: str) -> str:
    return f"urn:li:corpuser:{urn_part(person)}"


def data_product_urn(address: str) -> str:
    """`data://checkout/orders/v1` → `urn:li:dataProduct:checkout.orders.v1` is ambiguous when a name
    holds a dot; the address without its scheme is not."""
    return f"urn:li:dataProduct:{urn_part(address.removeprefix('data://'))}"


@dataclass(frozen=True)
class Place:
    """Where one output port's data lives in DataHub: its platform and dataset name (None: no entity)."""

    platform: str | None
    name: str | None
    why_not: str = ""  # why the port has no dataset entity


def port_place(pf: ProductFile, port: OutputPort, ds: Dataset) -> Place:
    if port.type == "table":
        return _table_place(pf, port, ds)
    if port.type == "events":
        return Place(port.platform or "kafka", port.topic)
    if port.type == "files":
        if not port.location:
            return Place(None, None, "a files port without a `location`")
        parts = urlsplit(port.location)
        scheme = parts.scheme.lower()
        if len(scheme) <= 1:  # no scheme (a Windows drive letter is not one either): a local path
            return Place(port.platform or "file", port.location.rstrip("/") or port.location)
        platform = FILE_PLATFORMS.get(scheme, port.platform or scheme)
        return Place(platform, (parts.netloc + parts.path).rstrip("/") or port.location)
    if port.type == "rest":
        if not port.url:
            return Place(None, None, "a rest port without a `url`")
        parts = urlsplit(port.url)
        return Place(OPENAPI_PLATFORM, (parts.netloc + parts.path).rstrip("/") or port.url)
    return Place(None, None, f"DataHub has no entity for a {port.type} service")


def _table_place(pf: ProductFile, port: OutputPort, ds: Dataset) -> Place:
    """The table the sql target creates for this port, named as DataHub's connector for the
    warehouse names it (`analytics.checkout.orders_v1` on Snowflake)."""
    from meshgen.targets.sql import table_place

    if port.platform not in DIALECTS:
        return Place(None, None, "a table port without a warehouse `platform`")
    d = dialect(port.platform)
    where, _ = table_place(pf, ds, d)
    parts = []
    for part in (*where.schema, where.table):
        if port.platform in LOWERCASE_PLATFORMS or (port.platform in FOLDING_PLATFORMS and where.part(d, part) == part):
            part = part.lower()
        parts.append(part)
    return Place(port.platform, ".".join(parts))
