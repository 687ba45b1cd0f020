"""ODCS v3.1 (Open Data Contract Standard): one data contract per output port,
`odcs/<port>.odcs.yaml`, built by meshgen.targets.odcs_contract (see there and odcs_schema for
the mapping). `datacontract lint` (datacontract-cli) accepts every file.

Options (meshgen.yaml, `targets: {odcs: {...}}`): `servers`, per platform, the connection keys
a port does not say and an ODCS server needs (`kafka: {host: broker:9092}`, `snowflake:
{account: acme-eu}`, `postgres: {host: db, port: 5432}`); `environment`, the servers' environment.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.model.loader import ProductFile
from meshgen.output import Artifact
from meshgen.serializer import yaml_document
from meshgen.targets.base import CANNOT_EXPRESS, TemplateInfo, Target
from meshgen.targets.odcs_contract import contract, contract_file, contract_id


class OdcsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    servers: dict[str, dict[str, Union[str, int]]] = Field(
        default_factory=dict, description="Per platform (kafka, postgres, snowflake, ...), the server keys the ports "
                                          "do not say: host, port, account, project, ...")
    environment: Optional[str] = Field(None, description="The environment of every server (prod, dev, ...).")


class OdcsTarget(Target):
    name = "odcs"
    codes = CodeFamily("ODCS", "The ODCS contracts can express the product.", "docs/targets-odcs.md", (
        DiagnosticCode("ODCS001", CANNOT_EXPRESS,
                       "a map whose values are enums or structs: ODCS has no map type, the contract says object"),
        DiagnosticCode("ODCS002", CANNOT_EXPRESS,
                       "an invalidValues check on a field (or member) with no constraint the contract's SQL rule can test"),
    ), target="odcs")
    description = "ODCS v3.1 data contracts, one per output port"
    Options = OdcsOptions
    templates: ClassVar[dict[str, TemplateInfo]] = {"odcs/contract.odcs.yaml.j2": TemplateInfo(
        "one output port's ODCS data contract (`<port>.odcs.yaml`)",
        (("contract_id", "the contract's id (the product's address and the port's name)"),
         ("body", "the contract as YAML text (built as data, written with meshgen.serializer)")))}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        p = pf.product
        servers: dict[str, dict[str, Any]] = {k: dict(v) for k, v in self.options.servers.items()}
        for index, port in enumerate(p.outputPorts):
            if p.dataset(port.dataset) is None:
                continue  # MESH reports the unknown dataset
            doc = contract(pf, index, self.mesh.config.site_url, servers, self.reporter)
            if self.options.environment:
                doc["servers"][0].setdefault("environment", self.options.environment)
            yield Artifact(contract_file(port.name), self.render(
                "contract.odcs.yaml.j2", contract_id=contract_id(p, port.name), body=yaml_document(doc, sort_keys=True)))
