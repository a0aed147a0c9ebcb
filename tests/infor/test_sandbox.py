"""The fake gateway's own helpers: seeds, .ionapi output, token endpoint answers."""

import json

import httpx2

from amazon_erp_bridge.infor import IonApiConfig, IonApiKind, check_ionapi
from amazon_erp_bridge.sandbox.infor import DEFAULT_URL, PROGRAMS, FakeIonApi

from .conftest import CUOR, CUSTOMER, LINES, make_client


def test_ionapi_dict_and_file_match_the_gateway(tmp_path, fake):
    data = fake.ionapi()
    assert data["pu"] == f"{DEFAULT_URL}/{fake.tenant}/as/"
    path = fake.write_ionapi(tmp_path / "s.ionapi")
    report = check_ionapi(path)
    assert report.ok and report.kind is IonApiKind.SERVICE_ACCOUNT
    assert json.loads(path.read_text())["ti"] == fake.tenant
    backend = IonApiConfig.from_dict(fake.ionapi(service_account=False))
    assert backend.kind is IonApiKind.BACKEND_SERVICE


def test_add_item_registers_aliases_by_kind(fake, clock):
    fake.add_item("CAP-01", "Cap", aliases={"seller_sku": "CAP-SKU", "ean": "4006381333948"})
    m3 = make_client(fake, clock)
    assert m3.items.find_by_alias("seller_sku", "CAP-SKU") == "CAP-01"
    assert m3.items.find_by_alias("ean", "4006381333948") == "CAP-01"


def test_add_temporary_order_simulates_a_crash_before_confirm(fake, clock):
    temporary = fake.add_temporary_order(CUSTOMER, CUOR, LINES[:1], ORTP="AMZ")
    m3 = make_client(fake, clock)
    match = m3.customer_orders.find_by_reference(CUSTOMER, CUOR)
    assert match.temporary and match.orno == temporary
    assert len(fake.state.batch_orders[temporary].lines) == 1


def test_extra_control_params_reach_the_server(m3, fake):
    fake.add_customer("C2", "Second")
    m3.execute("CRS610MI", "GetBasicData", {"CUNO": "C2"}, extra_params={"lanc": "GB"})
    assert fake.router.requests[-1].arg("lanc") == "GB"


def test_unknown_grant_and_missing_bearer_are_refused(fake):
    client = httpx2.Client(transport=fake.transport(), base_url=DEFAULT_URL)
    form = {"grant_type": "magic", "client_id": fake.client_id, "client_secret": fake.client_secret}
    answer = client.post(f"/{fake.tenant}/as/token.oauth2", data=form)
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"
    path = f"/{fake.tenant}/M3/m3api-rest/v2/execute/CRS610MI/GetBasicData"
    assert client.get(path, params={"CUNO": CUSTOMER}).status_code == 401


def test_every_program_the_clients_use_is_served():
    expected = {
        "OIS100MI": {
            "AddBatchHead",
            "AddBatchLine",
            "Confirm",
            "GetOrderNo",
            "LstHead",
            "LstBatchHead",
            "LstBatchLine",
            "GetHead",
            "LstLine",
            "DelBatchHead",
        },
        "CRS610MI": {"GetBasicData", "Add", "SearchCustomer", "LstByNumber"},
        "MMS200MI": {"GetItmBasic"},
        "MMS025MI": {"GetItem", "LstAlias", "LstAliasViaCat", "AddAlias"},
        "OIS350MI": {"LstInvHeadByCo", "GetInvHead", "LstInvLine"},
        "GLS840MI": {"AddBatchHead", "AddBatchLine", "CtrlBatch", "UpdBatch"},
        "MDBREADMI": {"GetFGLINH00"},
        "MWS411MI": {"LstDelLnByOrd"},
        "MWS420MI": {"Confirm"},
        "MHS850MI": {"AddCfmPickList"},
    }
    for program, transactions in expected.items():
        assert transactions <= set(PROGRAMS[program]), program


def test_two_gateways_do_not_share_state(clock):
    a, b = FakeIonApi(clock=clock), FakeIonApi(clock=clock)
    a.add_customer("X", "Only in a")
    assert "X" not in b.state.customers
