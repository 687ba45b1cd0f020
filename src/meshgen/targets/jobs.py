"""What an orchestrated job of a product is, shared by the Airflow and Dagster targets: its
stable ids, what triggers it (its input products, else its schedule), and the facts it carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from meshgen.model.loader import ProductFile
from meshgen.model.values import duration_seconds
from meshgen.targets.base import NameScope

if TYPE_CHECKING:
    from meshgen.mesh.model import Mesh

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def _id_part(text: str) -> str:
    return _ID_UNSAFE.sub("_", text).strip("_") or "x"


def job_ids(mesh: "Mesh") -> dict[str, str]:
    """address → `<domain>__<name>__v<major>`: valid as an Airflow dag id, a Dagster name and a
    Python identifier; names that collide after sanitizing get a suffix (in address order).
    Computed once per loaded mesh: every product's unit asks for the same table, and building it
    per unit made a build's time grow with the cube of the products (300 products: 80 s)."""
    return mesh.memo("job_ids", lambda: _job_ids(mesh.by_address()))


def _job_ids(by_address: dict[str, ProductFile]) -> dict[str, str]:
    scope = NameScope()
    out: dict[str, str] = {}
    for address in sorted(by_address):
        p = by_address[address].product
        base = f"{_id_part(p.domain)}__{_id_part(p.name)}__v{p.major}"
        out[address] = scope.claim(base if not base[0].isdigit() else "p_" + base)
    return out


def job_id(address: str, ids: dict[str, str]) -> str:
    """The id of a product's job, for a product outside the mesh too (from its address)."""
    if address in ids:
        return ids[address]
    from meshgen.model.models import parse_address

    domain, name, major = parse_address(address) or ("x", "x", 0)
    return f"{_id_part(domain)}__{_id_part(name)}__v{major}"


def dataset_ids(names: list[str]) -> dict[str, str]:
    """dataset name → a name valid in Dagster and Python, unique within the product."""
    scope = NameScope()
    return {n: scope.claim(_id_part(n)) for n in names}


@dataclass
class Job:
    address: str
    id: str
    version: str
    owner: str
    email: str | None
    tags: list[str]
    title: str
    description: str
    inputs: list[str]            # the addresses of the products it reads (sorted, once each)
    schedule: str | None         # cron, when it has no inputs
    freshness: str | None        # as written ("15m")
    freshness_seconds: float | None
    timestamp_field: str | None
    engine: str                  # spark | sql | python
    datasets: list[str]
    outputs: list[dict]          # the output ports: name, type, dataset, platform, location/topic/url


def job_for(pf: ProductFile, ids: dict[str, str]) -> Job:
    p = pf.product
    fr = p.slos.freshness if p.slos else None
    parts = []
    if p.purpose:
        parts.append(p.purpose)
    if not isinstance(p.description, str) and p.description is not None:
        parts.extend(x for x in (p.description.usage, p.description.limitations) if x)
    outputs = [{k: v for k, v in (("name", o.name), ("type", o.type), ("dataset", o.dataset),
                                  ("platform", o.platform), ("location", o.location), ("topic", o.topic),
                                  ("url", o.url)) if v is not None} for o in p.outputPorts]
    return Job(
        address=p.address, id=ids[p.address], version=p.version, owner=p.owner.team, email=p.owner.email,
        tags=list(p.tags), title=p.title or p.address, description="\n\n".join(parts),
        inputs=sorted({i.product for i in p.inputPorts}),
        schedule=p.schedule, freshness=fr.threshold if fr else None,
        freshness_seconds=duration_seconds(fr.threshold) if fr else None,
        timestamp_field=fr.timestampField if fr else None,
        engine=(p.pipeline.engine if p.pipeline and p.pipeline.engine else "python"),
        datasets=[d.name for d in p.datasets], outputs=outputs)
