"""The SAP fake answers as SAP's published metadata says: its $metadata is the EDMX's content,
entities carry every property of their type, ETags where the type has one, and it refuses what
SAP refuses (not creatable, not updatable, too long). It shares no code with the clients."""

from __future__ import annotations

import ast
import base64
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx2
import pytest

from amazon_erp_bridge.sandbox.sap import PASSWORD, USER, FakeSap, edm
from amazon_erp_bridge.sap import ODataClient, OutboundDeliveryService, SalesOrderService
from amazon_erp_bridge.sap.deliveries import DeliveryLine
from amazon_erp_bridge.sap.values import dump_json
from tests.sap.conftest import BASE_URL, order_payload

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT.parent / "shared" / "specs" / "sap-metadata"
SANDBOX = ROOT / "src" / "amazon_erp_bridge" / "sandbox" / "sap"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}
SO = SalesOrderService.PATH
needs_specs = pytest.mark.skipif(not SPECS.exists(), reason="../shared/specs is not here")


def raw(fake: FakeSap) -> httpx2.Client:
    return httpx2.Client(base_url=BASE_URL, transport=fake.transport(), headers=AUTH)


def csrf(http: httpx2.Client, root: str) -> dict[str, str]:
    answer = http.get(root + "/", headers={"X-CSRF-Token": "Fetch"})
    return {"X-CSRF-Token": answer.headers["x-csrf-token"], "Content-Type": "application/json"}


@needs_specs
def test_generated_tables_are_what_the_generator_writes_from_the_specs() -> None:
    from tools.sapgen import generate

    for module, (text, _) in generate.generate(SPECS).items():
        assert (SANDBOX / "_generated" / f"{module}.py").read_text() == text, module
    assert generate.main(["--check"]) == 0


def _structure(element: ET.Element) -> tuple[Any, ...]:
    """An element's contract content: tag, attributes (labels dropped) and kept children."""
    dropped = {"label", "quickinfo", "heading"}
    tag = element.tag.rsplit("}", 1)[-1]
    attrs = tuple(
        sorted(
            (k.rsplit("}", 1)[-1], v)
            for k, v in element.attrib.items()
            if k.rsplit("}", 1)[-1] not in dropped
        )
    )
    kids = tuple(
        _structure(c)
        for c in element
        if c.tag.rsplit("}", 1)[-1] not in {"Annotations", "Annotation", "link", "Documentation"}
    )
    return (tag, attrs, kids)


def _schema(document: bytes) -> ET.Element:
    root = ET.fromstring(document)
    return next(e for e in root.iter() if e.tag.endswith("}Schema"))


@needs_specs
@pytest.mark.parametrize("root", sorted(edm.MODULES))
def test_metadata_is_the_published_edmx(fake: FakeSap, root: str) -> None:
    module = edm.MODULES[root]
    source = next(name for name, mod in _sources().items() if mod == module)
    published = _schema((SPECS / source).read_bytes())
    with raw(fake) as http:
        answer = http.get(root + "/$metadata")
    assert answer.status_code == 200
    assert _structure(_schema(answer.content)) == _structure(published)


def _sources() -> dict[str, str]:
    from tools.sapgen import generate

    return generate.SOURCES


def test_metadata_carries_lengths_markers_and_etag_properties(fake: FakeSap) -> None:
    with raw(fake) as http:
        text = http.get(SO + "/$metadata").text
    assert 'Name="PurchaseOrderByCustomer" Type="Edm.String" MaxLength="35"' in text
    assert 'ConcurrencyMode="Fixed"' in text
    assert 'sap:creatable="false"' in text and 'Scale="3"' in text


def test_entities_carry_every_property_of_their_type(fake: FakeSap) -> None:
    number = fake.add_sales_order(order_payload())
    with raw(fake) as http:
        body = http.get(f"{SO}/A_SalesOrder('{number}')", params={"$expand": "to_Item"}).json()
    meta = edm.service(SO)
    header = meta.entity_type("A_SalesOrder")
    data = body["d"]
    assert set(header.properties) <= set(data)
    assert set(header.navigations) <= set(data)
    item = data["to_Item"]["results"][0]
    assert set(meta.entity_type("A_SalesOrderItem").properties) <= set(item)
    assert data["SalesOrderType"] == "OR" and data["DeliveryBlockReason"] == ""


def test_delivery_items_carry_their_etag(fake: FakeSap, client: ODataClient) -> None:
    order = SalesOrderService(client).create(order_payload())
    delivery = OutboundDeliveryService(client).create_for_sales_order(
        order.sales_order, [DeliveryLine("10")]
    )
    with raw(fake) as http:
        body = http.get(
            f"{OutboundDeliveryService.PATH}/A_OutbDeliveryHeader('{delivery.delivery_document}')",
            params={"$expand": "to_DeliveryDocumentItem"},
        ).json()
    items = body["d"]["to_DeliveryDocumentItem"]["results"]
    assert items and all(i["__metadata"]["etag"] == "W/\"'1'\"" for i in items)


def test_percent_encoded_key_predicates_are_answered(fake: FakeSap) -> None:
    with raw(fake) as http:
        answer = http.get("/sap/opu/odata/sap/API_PRODUCT_SRV/A_Product%28%27MUG-SAGE%27%29")
    assert answer.status_code == 200
    assert answer.json()["d"]["Product"] == "MUG-SAGE"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"TotalNetAmount": "1.00"}, ["TotalNetAmount", "sap:creatable=false"]),
        (
            {"PurchaseOrderByCustomer": "X" * 36},
            ["PurchaseOrderByCustomer", "maximum length is 35"],
        ),
        ({"NoSuchField": "1"}, ["NoSuchField", "invalid"]),
    ],
)
def test_create_refuses_what_the_metadata_forbids(
    fake: FakeSap, change: dict[str, str], words: list[str]
) -> None:
    with raw(fake) as http:
        answer = http.post(
            f"{SO}/A_SalesOrder",
            content=dump_json(order_payload(**change)),
            headers=csrf(http, SO),
        )
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]["value"]
    assert all(w in message for w in words), message


def test_create_refuses_non_creatable_fields_of_a_deep_inserted_item(fake: FakeSap) -> None:
    payload = order_payload()
    payload["to_Item"]["results"][0]["NetAmount"] = "25.00"
    with raw(fake) as http:
        answer = http.post(f"{SO}/A_SalesOrder", content=dump_json(payload), headers=csrf(http, SO))
    assert answer.status_code == 400
    assert "to_Item[1]" in answer.json()["error"]["message"]["value"]


def test_update_refuses_read_only_and_too_long_values(fake: FakeSap) -> None:
    number = fake.add_sales_order(order_payload())
    path = f"{SO}/A_SalesOrder('{number}')"
    with raw(fake) as http:
        etag = http.get(path).headers["etag"]
        headers = {**csrf(http, SO), "If-Match": etag}
        read_only = http.patch(path, content=b'{"OverallSDProcessStatus":"C"}', headers=headers)
        too_long = http.patch(path, content=b'{"ShippingCondition":"ABC"}', headers=headers)
    assert read_only.status_code == 400 and "sap:updatable=false" in read_only.text
    assert too_long.status_code == 400 and "maximum length is 2" in too_long.text


def test_journal_confirmation_names_its_interface() -> None:
    from amazon_erp_bridge.sandbox.sap import journal

    body = journal.confirmation("M1", [], __import__("datetime").datetime(2026, 1, 1))
    root = ET.fromstring(body)
    names = [e.tag.rsplit("}", 1)[-1] for e in root.iter()]
    assert "ConfirmationInterfaceOrignName" in names


def test_wrong_sap_client_is_a_logon_failure(fake: FakeSap) -> None:
    with raw(fake) as http:
        ok = http.get(SO + "/A_SalesOrder", params={"sap-client": "100"})
        wrong = http.get(SO + "/A_SalesOrder", params={"sap-client": "200"})
    assert ok.status_code == 200
    assert wrong.status_code == 401 and "client '200'" in wrong.text


def test_sandbox_imports_no_client_mapping_or_posting_module() -> None:
    forbidden = ("amazon_erp_bridge.sap", "amazon_erp_bridge.mapping", "amazon_erp_bridge.posting")
    for path in SANDBOX.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"


def test_batch_with_a_non_ascii_boundary_is_refused_cleanly(fake: FakeSap) -> None:
    with raw(fake) as http:
        answer = http.post(
            SO + "/$batch",
            content="--bé\r\n\r\n--bé--\r\n".encode(),
            headers={
                **csrf(http, SO),
                "Content-Type": "multipart/mixed; boundary=bé".encode(),  # type: ignore[dict-item]
            },
        )
    assert answer.status_code == 400
    assert "boundary" in answer.json()["error"]["message"]["value"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"DeliveryDocument": "'12345678901'"}, "maximum length is 10"),
        ({"DeliveryDocument": "'1'", "Extra": "'x'"}, "no parameter Extra"),
    ],
)
def test_function_import_parameters_are_checked_against_the_metadata(
    fake: FakeSap, params: dict[str, str], words: str
) -> None:
    path = f"{OutboundDeliveryService.PATH}/PostGoodsIssue"
    with raw(fake) as http:
        answer = http.post(path, params=params, headers=csrf(http, OutboundDeliveryService.PATH))
    assert answer.status_code == 400 and words in answer.text
