"""Dagster: one module per product version (`dagster/<job>.py`) and the mesh's code location
(`_mesh/dagster/definitions.py`) that merges them into one `Definitions`.

An asset per output dataset, with `deps` on the asset keys of the products its input ports read
(so the asset graph is the mesh), owners, tags, description and metadata (address, version,
output ports); an asset check per quality check; a freshness check from the freshness SLO; a
sensor on the inputs (like the Airflow DAG's asset schedule) or else a cron schedule.
"""

from __future__ import annotations

import re
from typing import Iterable

from meshgen.model.loader import ProductFile
from meshgen.output import Artifact
from meshgen.targets.base import TemplateInfo, NameScope, Target
from meshgen.targets.jobs import Job, dataset_ids, job_for, job_id, job_ids
from meshgen.targets.python_source import literal
from meshgen.targets.quality_checks import product_checks

_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def tag_key(text: str) -> str:
    """A Dagster tag key (letters, digits, `_.-`, at most 63 characters after the prefix)."""
    return "meshgen/" + (_TAG_UNSAFE.sub("_", text).strip("_.-")[:63] or "tag")


class DagsterTarget(Target):
    name = "dagster"
    templates = {
        "dagster/definitions.py.j2": TemplateInfo("the mesh's Dagster Definitions module (`definitions.py`)", (
            ("modules", "product module name → address, as a Python literal"),)),
        "dagster/product.py.j2": TemplateInfo("one product's Dagster assets module", (
            ("address", "the product address, as a Python literal"), ("job_name", "the job name, as a Python literal"),
            ("product", "the product's job data, as a Python literal"),
            ("input_keys", "the asset keys it reads, as a Python literal"),
            ("datasets", "its datasets, as a Python literal"), ("checks", "its quality checks, as a Python literal"),
            ("inputs", "whether it reads other products (bool)"), ("schedule", "the schedule, as a Python literal"),
            ("freshness_seconds", "the freshness threshold in seconds (0: none)"),
        )),
    }
    description = "Dagster assets, asset checks, freshness check and sensor/schedule per product; one mesh Definitions"
    scope = "product+mesh"
    # job ids are unique across the mesh (a collision after sanitizing gets a suffix): a product's module
    # reads its product, its producers' datasets and the mesh's job ids (definitions.py reads the mesh)
    reads = "neighbours"
    mesh_facts = staticmethod(job_ids)

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        ids = job_ids(self.mesh)
        job = job_for(pf, ids)
        yield Artifact(f"{job.id}.py", self.module(pf, job, ids))

    def generate_mesh(self) -> Iterable[Artifact]:
        ids = job_ids(self.mesh)
        # every product of the mesh, not only the selected ones: a partial build keeps the others' modules
        # the product units' folders, as meshgen.planner.product_folder lays them out
        modules = {ids[pf.product.address]: f"{pf.product.domain}/{pf.product.name}/v{pf.product.major}/dagster/"
                                            f"{ids[pf.product.address]}.py"
                   for pf in self.mesh.products}
        yield Artifact("definitions.py", self.render("definitions.py.j2", modules=literal(dict(sorted(modules.items())))))

    def module(self, pf: ProductFile, job: Job, ids: dict[str, str]) -> str:
        p = pf.product
        mine = dataset_ids([d.name for d in p.datasets])
        input_keys = sorted({(job_id(i.product, ids), self.producer_dataset_id(i.product, i.dataset))
                             for i in p.inputPorts})
        owners = [f"team:{p.owner.team}"] + ([p.owner.email] if p.owner.email else [])
        tags = {tag_key(t): "" for t in sorted(set(p.tags))}
        datasets = []
        for ds in p.datasets:
            ports = [o for o in job.outputs if o["dataset"] == ds.name]
            datasets.append({
                "key": [job.id, mine[ds.name]], "owners": owners, "tags": tags, "engine": job.engine,
                "description": ds.description or job.description or job.title,
                "metadata": {"address": job.address, "version": job.version, "dataset": ds.name,
                             "output_ports": ports, "tags": list(p.tags), "product_description": job.description},
            })
        checks, _ = product_checks(pf)
        scope = NameScope()
        check_specs = [{
            "id": c.id, "asset": [job.id, mine[c.dataset]], "name": scope.claim(re.sub(r"[^A-Za-z0-9_]", "_", c.id)),
            "description": c.description, "severity": c.severity,
            "metadata": {"dimension": c.dimension, "threshold": c.threshold.describe(), "severity": c.severity,
                         "source": str(c.location)},
        } for c in checks if c.kind != "freshness"]  # freshness: Dagster's own last-update check below
        from meshgen.targets.airflow import product_data

        return self.render(
            "product.py.j2", address=literal(job.address), job_name=literal(job.id),
            product=literal(product_data(job)), input_keys=literal([list(k) for k in input_keys]),
            datasets=literal(datasets), checks=literal(check_specs), inputs=bool(input_keys),
            schedule=literal(job.schedule), freshness_seconds=int(job.freshness_seconds or 0))

    def producer_dataset_id(self, address: str, dataset: str) -> str:
        producer = self.mesh.get(address)
        names = [d.name for d in producer.product.datasets] if producer is not None else [dataset]
        return dataset_ids(names).get(dataset) or dataset_ids([dataset])[dataset]
