"""Airflow 3 DAGs: one file per product version, `airflow/<dag_id>.py`.

The product's address is its Airflow `Asset`. A product with input ports is scheduled on the
assets of the products it reads (data-aware scheduling across the mesh); otherwise on
`pipeline.schedule`, or the schedule its freshness SLO implies. Tasks: build (a stub for
`pipeline.engine` that raises until filled in) >> check_quality (meshgen test) >> publish (the
asset event). Owner, tags, description and the freshness SLO (as the run timeout and in the
docs) are carried. Every spec value reaches the file as a Python literal (python_source).
"""

from __future__ import annotations

from typing import Iterable

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.targets.base import CANNOT_EXPRESS
from meshgen.model.loader import ProductFile
from meshgen.output import Artifact
from meshgen.targets.base import TemplateInfo, Target
from meshgen.targets.jobs import Job, job_for, job_ids
from meshgen.targets.python_source import literal

AIRFLOW_TAG_MAX = 100  # Airflow refuses longer DAG tags


class AirflowTarget(Target):
    name = "airflow"
    codes = CodeFamily("AIRFLOW", "The Airflow target can express the product.", "docs/targets-orchestration.md", (
        DiagnosticCode("AIRFLOW001", CANNOT_EXPRESS, "a product tag is longer than Airflow's 100 characters and "
                                                     "is not a DAG tag"),
    ), target="airflow")
    templates = {"airflow/dag.py.j2": TemplateInfo("one product's Airflow DAG module (`<job id>.py`)", (
        ("address", "the product address, as a Python literal"), ("product", "the product's job data, as a Python literal"),
        ("dag_id", "the DAG id, as a Python literal"), ("inputs", "whether the product reads other products (bool)"),
        ("engine", "the pipeline engine"), ("schedule", "the schedule literal, or INPUT_ASSETS when it has inputs"),
        ("default_args", "the DAG's default_args, as a Python literal"), ("tags", "the DAG's tags, as a Python literal"),
        ("summary", "the product title, as a Python literal"), ("doc", "the DAG's documentation, as a Python literal"),
        ("timeout", "the freshness threshold in seconds, or None"),
    ))}
    description = "Airflow 3 DAG per product version: asset-scheduled across the mesh, build/check/publish tasks"
    # job ids are unique across the mesh (a collision after sanitizing gets a suffix): a DAG reads its
    # product, its producers' ids and the mesh's ids as a whole (a new product may take an id)
    reads = "neighbours"
    mesh_facts = staticmethod(job_ids)

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        job = job_for(pf, job_ids(self.mesh))
        tags = sorted({t for t in job.tags + [pf.product.domain] if len(t) <= AIRFLOW_TAG_MAX})
        for i, t in enumerate(pf.product.tags):
            if len(t) > AIRFLOW_TAG_MAX:
                self.unsupported("AIRFLOW001", f"tag {t[:30]!r}... is longer than Airflow's {AIRFLOW_TAG_MAX} "
                                 "characters and is not a DAG tag", pf.location("tags", i),
                                 "shorten the tag; the DAG's PRODUCT data still carries it")
        default_args = {"owner": job.owner}
        if job.email:
            default_args["email"] = [job.email]
        yield Artifact(f"{job.id}.py", self.render(
            "dag.py.j2", address=literal(job.address), product=literal(product_data(job)), dag_id=literal(job.id),
            inputs=bool(job.inputs), engine=job.engine,
            schedule="INPUT_ASSETS" if job.inputs else literal(job.schedule),
            default_args=literal(default_args, 4), tags=literal(tags, 4),
            summary=literal(job.title), doc=literal(doc_text(job)),
            timeout=int(job.freshness_seconds) if job.freshness_seconds else None))


def product_data(job: Job) -> dict:
    return {"address": job.address, "version": job.version, "owner": job.owner, "tags": job.tags,
            "engine": job.engine, "datasets": job.datasets, "inputs": job.inputs, "outputs": job.outputs,
            "freshness": job.freshness, "freshness_field": job.timestamp_field, "schedule": job.schedule}


def doc_text(job: Job) -> str:
    lines = [f"# {job.title}", "", f"Product `{job.address}` version {job.version}, owned by {job.owner}."]
    if job.description:
        lines += ["", job.description]
    if job.freshness:
        lines += ["", f"Freshness SLO: the newest `{job.timestamp_field}` is at most {job.freshness} old."]
    lines += ["", "Scheduled on: " + (", ".join(job.inputs) if job.inputs else (job.schedule or "manual runs"))]
    return "\n".join(lines)
