"""The resolved layer and the mesh graph, on the example mesh and on small meshes written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshgen.mesh.graph import MeshGraph
from meshgen.mesh.loader import load_mesh
from tests.conftest import SPECS

ORDERS_V2 = "data://checkout/orders/v2"
PAYMENTS = "data://payments/transactions/v2"
CUSTOMERS = "data://users/customers/v1"
SHIPMENTS = "data://logistics/shipments/v1"
STOCK = "data://inventory/stock_levels/v1"
CAMPAIGNS = "data://marketing/campaign_attribution/v1"
ORDERS_V1 = "data://checkout/orders/v1"


@pytest.fixture(scope="module")
def mesh():
    mesh, _ = load_mesh(SPECS)
    return mesh


def test_a_resolved_product_knows_its_address_schedule_and_classification(mesh):
    r = mesh.resolved(CUSTOMERS)
    assert (r.address, r.major, r.pf) == (CUSTOMERS, 1, mesh.get(CUSTOMERS))
    assert (r.schedule, r.schedule_derived) == ("0 * * * *", False)
    assert r.classification_of("customers", "email") == "confidential"
    assert r.classification_of("customers", "customer_id") == "public"
    assert r.classification == "restricted"
    assert mesh.resolved(mesh.get(CUSTOMERS)) is r  # built once, by file or by address


def test_input_ports_resolve_to_producer_objects(mesh):
    [link] = mesh.resolved(SHIPMENTS).inputs
    producer = mesh.get(ORDERS_V2)
    assert link.producer is producer and link.dataset is producer.product.dataset("orders")
    assert dict(link.fields)["items"] is producer.product.dataset("orders").field("items")
    assert link.consumer is mesh.get(SHIPMENTS) and link.address == ORDERS_V2


def test_consumers_say_which_products_read_which_fields(mesh):
    r = mesh.resolved(ORDERS_V2)
    assert sorted(c.consumer.product.address for c in r.consumers) == [SHIPMENTS, CAMPAIGNS]
    assert [c.consumer.product.address for c in r.consumers_of("orders", "items.sku")] == [SHIPMENTS]
    assert [c.consumer.product.address for c in r.consumers_of("orders", "total")] == [CAMPAIGNS]
    assert r.consumers_of("orders", "no_such_field") == []
    assert mesh.consumers("data://gone/product/v1") == []


def test_output_ports_by_kind_with_their_datasets(mesh):
    r = mesh.resolved(ORDERS_V2)
    assert sorted(r.outputs) == ["events", "files", "rest", "table"]
    [table] = r.output_ports("table")
    assert table.port.name == "orders-table" and table.dataset is mesh.get(ORDERS_V2).product.dataset("orders")
    assert [o.index for o in r.output_ports()] == list(range(len(mesh.get(ORDERS_V2).product.outputPorts)))


def test_the_graph_of_the_example_mesh(mesh):
    g = mesh.graph
    assert g.parents(STOCK) == [SHIPMENTS]
    assert g.children(ORDERS_V2) == sorted([SHIPMENTS, CAMPAIGNS])
    assert g.upstream(STOCK) == sorted([SHIPMENTS, ORDERS_V2, PAYMENTS])
    assert g.downstream(PAYMENTS) == sorted([ORDERS_V1, ORDERS_V2, SHIPMENTS, STOCK, CAMPAIGNS])
    order = g.topological_order()
    assert sorted(order) == sorted(p.product.address for p in mesh.products)
    for consumer in order:
        assert all(order.index(producer) < order.index(consumer) for producer in g.parents(consumer))
    assert g.cycles() == []


def test_cycles_and_self_reads_are_found_in_any_graph():
    g = MeshGraph("abcdef", [("a", "b"), ("b", "c"), ("c", "a"), ("d", "d"), ("c", "e"), ("e", "f")])
    # an edge is (producer, consumer): b reads a, c reads b, a reads c
    assert g.cycles() == [("a", "c", "b"), ("d",)]
    assert g.upstream("e") == ["a", "b", "c"]
    assert g.downstream("a") == ["b", "c", "e", "f"]
    # a cycle's products come together, and what reads the cycle comes after it
    assert g.topological_order() == ["a", "b", "c", "d", "e", "f"]
    g = MeshGraph("abcxyz", [("z", "y"), ("y", "x"), ("x", "a"), ("a", "b"), ("b", "a"), ("b", "c")])
    assert g.topological_order() == ["z", "y", "x", "a", "b", "c"]


def test_a_long_chain_does_not_exhaust_the_stack():
    names = [f"n{i:05d}" for i in range(5000)]
    g = MeshGraph(names, list(zip(names, names[1:])) + [(names[-1], names[0])])
    [cycle] = g.cycles()
    assert len(cycle) == 5000 and cycle[0] == "n00000"
