"""ODPS v1.1 (Open Data Product Standard): one product descriptor per product,
`odps/<name>.odps.yaml`. `dataproduct lint` (dataproduct-cli) accepts every file and resolves
the contracts it cites among the odcs target's files.

- `id` is the product's address; `name`, `version`, `status`, `domain`, `tags`, `description`.
- `outputPorts`: each port with its type, the product's version and, as `contractId`, the id
  of the port's ODCS contract (meshgen.targets.odcs_contract.contract_id).
- `inputPorts`: each port with the producer's version and the contract of the producer's first
  output port that serves the dataset read (the fields read are a custom property).
- `team`: the owner team, its product owner as a member; `support`: the channels with a URL.
- `authoritativeDefinitions`: the product's docs page when meshgen.yaml has `site_url`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable

from meshgen.diagnostics import CodeFamily, DiagnosticCode
from meshgen.model.loader import ProductFile
from meshgen.model.models import InputPort
from meshgen.output import Artifact
from meshgen.serializer import yaml_document
from meshgen.targets.base import CANNOT_EXPRESS, TemplateInfo, Target
from meshgen.targets.odcs_contract import contract_id, description, page_links, team

API_VERSION = "v1.1.0"


class OdpsTarget(Target):
    name = "odps"
    # an input port cites its direct producer's ODCS contract (version, contract id): its neighbours,
    # not its whole upstream closure (~377 product files hashed per unit at 1,000 synthetic products)
    reads = "neighbours"
    codes = CodeFamily("ODPS", "The ODPS descriptor can express the product.", "docs/targets-odcs.md", (
        DiagnosticCode("ODPS001", CANNOT_EXPRESS, "a support channel without a URL: ODPS needs one; left out"),
        DiagnosticCode("ODPS002", CANNOT_EXPRESS,
                       "an input port whose producer publishes no contract for the dataset in this mesh; "
                       "the port cites no contractId"),
    ), target="odps")
    description = "ODPS v1.1 product descriptors, one per product"
    templates: ClassVar[dict[str, TemplateInfo]] = {"odps/product.odps.yaml.j2": TemplateInfo(
        "one product's ODPS descriptor (`<name>.odps.yaml`)",
        (("address", "the product's address"),
         ("body", "the descriptor as YAML text (built as data, written with meshgen.serializer)")))}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        yield Artifact(f"{pf.product.name}.odps.yaml", self.render(
            "product.odps.yaml.j2", address=pf.product.address, body=yaml_document(self.descriptor(pf), sort_keys=True)))

    def descriptor(self, pf: ProductFile) -> dict[str, Any]:
        p = pf.product
        doc: dict[str, Any] = {"apiVersion": API_VERSION, "kind": "DataProduct", "id": p.address, "name": p.title or p.name,
                               "version": p.version, "status": p.status, "domain": p.domain, "team": team(p)}
        outputs = [self.output_port(pf, i) for i, port in enumerate(p.outputPorts) if p.dataset(port.dataset)]
        inputs = [self.input_port(pf, i, port) for i, port in enumerate(p.inputPorts)]
        custom = [{"property": "address", "value": p.address}, {"property": "productName", "value": p.name},
                  {"property": "compatibility", "value": p.compatibility}]
        if p.lifecycle and p.lifecycle.deprecationDate:
            custom.append({"property": "deprecationDate", "value": p.lifecycle.deprecationDate.isoformat()})
        if p.lifecycle and p.lifecycle.successor:
            custom.append({"property": "successor", "value": p.lifecycle.successor})
        for key, value in (("description", description(p)), ("tags", list(p.tags)), ("outputPorts", outputs),
                           ("inputPorts", inputs), ("support", self.support(pf)),
                           ("authoritativeDefinitions", page_links(pf, self.mesh.config.site_url)),
                           ("customProperties", custom)):
            if value:
                doc[key] = value
        if p.status == "deprecated":
            doc["deprecated"] = True
        return doc

    def output_port(self, pf: ProductFile, index: int) -> dict[str, Any]:
        p = pf.product
        port = p.outputPorts[index]
        out: dict[str, Any] = {"name": port.name, "type": port.type, "version": p.version,
                               "contractId": contract_id(p, port.name),
                               "customProperties": [{"property": "dataset", "value": port.dataset}]}
        if port.description:
            out["description"] = port.description
        return out

    def input_port(self, pf: ProductFile, index: int, port: InputPort) -> dict[str, Any]:
        out: dict[str, Any] = {"name": port.name,
                               "customProperties": [{"property": "product", "value": port.product},
                                                    {"property": "dataset", "value": port.dataset},
                                                    {"property": "fields", "value": list(port.fields)}]}
        link = next((ln for ln in self.mesh.resolved(pf).inputs if ln.index == index), None)
        producer = link.producer if link is not None else None
        serving = [o for o in producer.product.outputPorts if o.dataset == port.dataset] if producer else []
        if producer is not None:
            out["version"] = producer.product.version
        if serving:
            out["contractId"] = contract_id(producer.product, serving[0].name)
        else:
            self.unsupported("ODPS002", f"input port {port.name!r} reads {port.product} {port.dataset}, for which no "
                             "product in this mesh publishes a contract; the port cites none",
                             pf.location("inputPorts", index, "product"),
                             "build the producer's product in the same mesh, with an output port for the dataset")
        return out

    def support(self, pf: ProductFile) -> list[dict[str, str]]:
        channels = []
        for i, s in enumerate(pf.product.support):
            if not s.url:
                self.unsupported("ODPS001", f"support channel {s.channel!r} has no URL, which ODPS requires; "
                                 "the descriptor leaves it out", pf.location("support", i, "channel"),
                                 "give the channel a url (a link, or mailto: for an e-mail list)")
                continue
            channels.append({k: v for k, v in {"channel": s.channel, "tool": s.tool, "url": s.url}.items() if v})
        return channels
