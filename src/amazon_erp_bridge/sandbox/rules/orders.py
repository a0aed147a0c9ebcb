"""The sandbox world's order rules: order-to-cash and MCF configs for M3 and SAP, and the ERP
orders that MCF ships.

Order to cash
    As with settlements, M3 takes the North American marketplaces' orders and SAP the others
    (UK, Germany, Japan), each booked to the marketplace's customer. Orders Amazon fulfils
    (AFN) get their own order type (M3 ``AZF``, SAP ``ZAFN``) and come from warehouse / plant
    ``AMZ``; merchant orders get M3 ``AZM`` / SAP ``OR``. Every amount of a line travels:
    shipping, gift wrap, promotions and taxes as charges (:data:`M3_CHARGES`,
    :data:`SAP_CHARGES`), so each ERP invoice equals the Amazon order total to the cent.
    Amazon's line totals do not always split into an exact unit price (80.80 for 3): the
    unit price is rounded to the cent (:func:`~amazon_erp_bridge.mapping.rounded_unit_price`)
    and the cent left over is a rounding charge. SAP bills every goods issue at once here, so
    its invoices can be read back in the same run.

A dead letter on purpose
    :func:`seed_orders` adds one order per ERP whose SKU has a typo (``SKU-MUG-1`` for
    ``SKU-MUG-01``): it is dead-lettered with the crosswalk's "closest: ..." hint, and a
    replay after adding the alias (M3 MMS025) or product (SAP) posts it.

Multi-Channel Fulfillment
    The web shop's orders live in the ERPs: M3 customer ``WEBSHOP`` with order type ``MCF``,
    SAP sold-to ``1790001`` with sales order type ``ZMCF``. Each ERP holds two flagged orders
    and one ordinary order (type ``STD`` / ``OR``) that MCF leaves alone. Fulfilment orders
    are read up to four times a tenth of a second apart, which is what the fake needs to ship
    one, so a single demo run shows the tracking going back to the ERP.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from attrs import evolve

from amazon_erp_bridge.amazon.endpoints import MARKETPLACES
from amazon_erp_bridge.mapping import (
    ChargeRules,
    CustomerRules,
    M3OrderSettings,
    McfRules,
    OrderTypeRule,
    OrderTypeRules,
    SapOrderSettings,
    rounded_unit_price,
)
from amazon_erp_bridge.model import (
    Address,
    FulfillmentChannel,
    ItemRef,
    Money,
    Order,
    OrderLine,
    OrderStatus,
)
from amazon_erp_bridge.sandbox.amazon.state import DEFAULT_START
from amazon_erp_bridge.sandbox.environment import WAREHOUSE, Sandbox
from amazon_erp_bridge.sandbox.infor.programs import PROGRAMS
from amazon_erp_bridge.sap.business_partners import SERVICE as PARTNERS
from amazon_erp_bridge.workflows.mcf import McfM3Config, McfSapConfig
from amazon_erp_bridge.workflows.order_to_cash import OrderToCashM3Config, OrderToCashSapConfig

#: The first run reads orders updated since the day before the fake's orders begin.
START: Final = DEFAULT_START - timedelta(days=1)
#: The misspelt seller SKU of the dead-letter orders, and the one it should have been.
TYPO_SKU: Final = "SKU-MUG-1"
RIGHT_SKU: Final = "SKU-MUG-01"
#: Amazon order ids of the orders that dead-letter: M3 (Amazon.com) and SAP (Amazon.co.uk).
DEAD_LETTER_M3: Final = "114-4040404-0000001"
DEAD_LETTER_SAP: Final = "206-4040404-0000002"
M3_WEBSHOP: Final = "WEBSHOP"
SAP_WEBSHOP: Final = "1790001"
MCF_ORDER_TYPE_M3: Final = "MCF"
MCF_ORDER_TYPE_SAP: Final = "ZMCF"
SAP_SETTINGS: Final = SapOrderSettings(
    sales_organization="1010", distribution_channel="10", division="00"
)
#: Every amount of an Amazon order line as an M3 order charge (CRID): shipping ``FRT`` (its
#: discount too), gift wrap ``GFW``, promotions ``PRO``, the rounding of a unit price ``RND``,
#: and the taxes on the order head as ``TAX`` with tax code (TAXC) ``ST``. Facilitator tax is
#: left out (Amazon remits it), so M3's invoice is what the buyer paid less that tax.
_TAX_KINDS: Final = (
    "item_tax",
    "shipping_tax",
    "gift_wrap_tax",
    "promotion_discount_tax",
    "shipping_discount_tax",
)
M3_CHARGES: Final = ChargeRules(
    codes={
        "shipping_price": "FRT",
        "shipping_discount": "FRT",
        "gift_wrap_price": "GFW",
        "promotion_discount": "PRO",
        "price_rounding": "RND",
        **dict.fromkeys(_TAX_KINDS, "TAX"),
    },
    tax_codes=dict.fromkeys(_TAX_KINDS, "ST"),
)
#: The same for SAP's pricing procedure: freight ``KF00``, gift wrap ``ZGW0``, absolute
#: discount ``RB00``, rounding ``ZRND`` and output tax ``MWST`` on items of tax classification
#: ``1`` (full tax; SAP derives the tax code from it). The sandbox system has SAP determine
#: no tax for marketplace orders: Amazon's amounts are sent.
SAP_CHARGES: Final = ChargeRules(
    codes={
        "shipping_price": "KF00",
        "shipping_discount": "KF00",
        "gift_wrap_price": "ZGW0",
        "promotion_discount": "RB00",
        "price_rounding": "ZRND",
        **dict.fromkeys(_TAX_KINDS, "MWST"),
    },
    tax_codes=dict.fromkeys(_TAX_KINDS, "1"),
)
US: Final = "ATVPDKIKX0DER"
UK: Final = "A1F83G8C2ARO7P"
POLL_INTERVAL: Final = 0.1
TRACKING_POLLS: Final = 4
MCF_RULES_M3: Final = McfRules(
    shipping_speeds={"EXP": "Expedited"},
    marketplace_id=US,
    comment="Thank you for shopping with Sandbox Goods.",
    flag_order_types=frozenset({MCF_ORDER_TYPE_M3}),
)
MCF_RULES_SAP: Final = McfRules(
    shipping_speeds={"02": "Expedited"},
    marketplace_id=US,
    comment="Thank you for shopping with Sandbox Goods.",
    flag_order_types=frozenset({MCF_ORDER_TYPE_SAP}),
)

_BUYERS: Final = (
    Address(
        name="Jane Doe",
        line1="12 Pike Street",
        city="Seattle",
        state_or_region="WA",
        postal_code="98101",
        country_code="US",
        phone="+12065550100",
    ),
    Address(
        name="Tom Berg",
        line1="400 Broad Street",
        city="Seattle",
        state_or_region="WA",
        postal_code="98109",
        country_code="US",
        phone="+12065550111",
    ),
)
#: The web shop's orders: (customer order number, flagged for MCF, lines (sku, qty, price),
#: delivery method, buyer).
_WEB_ORDERS: Final = (
    ("WEB-10001", True, (("SKU-MUG-01", 2, "12.99"), ("SKU-TEA-05", 1, "9.49")), "EXP", 0),
    ("WEB-10002", True, (("SKU-LAMP-02", 1, "34.50"),), "STD", 1),
    ("WEB-10003", False, (("SKU-BOOK-06", 3, "15.25"),), "STD", 0),
)


def _north_america(sandbox: Sandbox) -> tuple[str, ...]:
    return tuple(m for m in sandbox.marketplaces if MARKETPLACES[m].region == "na")


def _others(sandbox: Sandbox) -> tuple[str, ...]:
    return tuple(m for m in sandbox.marketplaces if m not in _north_america(sandbox))


def _typo_order(order_id: str, marketplace_id: str, currency: str, price: str) -> Order:
    day = DEFAULT_START + timedelta(days=10, hours=9)
    return Order(
        order_id=order_id,
        purchase_date=day,
        last_updated=day + timedelta(hours=2),
        status=OrderStatus.UNSHIPPED,
        marketplace_id=marketplace_id,
        fulfillment_channel=FulfillmentChannel.MERCHANT,
        sales_channel="Amazon.com" if marketplace_id == US else "Amazon.co.uk",
        order_total=Money.of(price, currency),
        lines=(
            OrderLine(
                line_id="40404040404040",
                item=ItemRef(TYPO_SKU),
                quantity=2,
                title="Enamel camping mug",
                item_price=Money.of(price, currency),
            ),
        ),
        seller_order_id="SO-TYPO",
        order_type="StandardOrder",
        ship_service_level="Std Dom",
    )


def _seed_amazon(sandbox: Sandbox) -> None:
    for order in (
        _typo_order(DEAD_LETTER_M3, US, "USD", "25.98"),
        _typo_order(DEAD_LETTER_SAP, UK, "GBP", "20.78"),
    ):
        if order.order_id not in sandbox.amazon.state.orders:
            sandbox.amazon.add_order(order)


def _run(sandbox: Sandbox, transaction: str, record: dict[str, str]) -> list[dict[str, str]]:
    return PROGRAMS["OIS100MI"][transaction].run(sandbox.ion.state, record)


def _seed_m3(sandbox: Sandbox) -> None:
    state = sandbox.ion.state
    with state.lock:
        if M3_WEBSHOP in state.customers:
            return
        state.add_customer(M3_WEBSHOP, "Sandbox Goods web shop", CUCD="USD", CSCD="US")
        for cuor, flagged, lines, delivery, buyer in _WEB_ORDERS:
            head = {
                "CUNO": M3_WEBSHOP,
                "CUOR": cuor,
                "ORTP": MCF_ORDER_TYPE_M3 if flagged else "STD",
                "ORDT": "20260310",
                "CUCD": "USD",
                "WHLO": WAREHOUSE,
                "MODL": delivery,
            }
            orno = _run(sandbox, "AddBatchHead", head)[0]["ORNO"]
            for sku, quantity, price in lines:
                line = {"ORNO": orno, "ITNO": sandbox.m3_item(sku), "ORQT": str(quantity)}
                _run(sandbox, "AddBatchLine", {**line, "SAPR": price, "WHLO": WAREHOUSE})
            address = _BUYERS[buyer]
            _run(
                sandbox,
                "AddBatchAddress",
                {
                    "ORNO": orno,
                    "ADRT": "1",
                    "CUNM": address.name or "",
                    "CUA1": address.line1 or "",
                    "TOWN": address.city or "",
                    "PONO": address.postal_code or "",
                    "ECAR": address.state_or_region or "",
                    "CSCD": address.country_code or "",
                    "PHNO": address.phone or "",
                },
            )
            _run(sandbox, "Confirm", {"ORNO": orno})


def _sap_order(cuor: str, flagged: bool, lines: Any, delivery: str, buyer: int) -> dict[str, Any]:
    address = _BUYERS[buyer]
    return {
        "SalesOrderType": MCF_ORDER_TYPE_SAP if flagged else "OR",
        "SalesOrganization": SAP_SETTINGS.sales_organization,
        "DistributionChannel": SAP_SETTINGS.distribution_channel,
        "OrganizationDivision": SAP_SETTINGS.division,
        "SoldToParty": SAP_WEBSHOP,
        "PurchaseOrderByCustomer": cuor,
        "TransactionCurrency": "USD",
        "ShippingCondition": "02" if delivery == "EXP" else "01",
        "to_Item": {
            "results": [
                {
                    "SalesOrderItem": str(n * 10),
                    "Material": sku,
                    "RequestedQuantity": str(quantity),
                    "RequestedQuantityUnit": "EA",
                    "ProductionPlant": WAREHOUSE,
                    "to_PricingElement": {
                        "results": [{"ConditionType": "PR00", "ConditionRateValue": price}]
                    },
                }
                for n, (sku, quantity, price) in enumerate(lines, start=1)
            ]
        },
        "to_Partner": {
            "results": [
                {
                    "PartnerFunction": "WE",
                    "Customer": SAP_WEBSHOP,
                    "to_Address": {
                        "results": [
                            {
                                "OrganizationName1": address.name,
                                "StreetName": address.line1,
                                "CityName": address.city,
                                "PostalCode": address.postal_code,
                                "Region": address.state_or_region,
                                "Country": address.country_code,
                                "PhoneNumber": address.phone,
                            }
                        ]
                    },
                }
            ]
        },
    }


def _seed_charges(sandbox: Sandbox) -> None:
    """The charge codes the ERPs know: M3 charges (CRID), SAP's rounding condition type."""
    with sandbox.ion.state.lock:
        sandbox.ion.state.charge_codes.update(M3_CHARGES.codes.values())
    for kind in SAP_CHARGES.codes.values():
        sandbox.sap.condition_types.setdefault(kind, "tax" if kind == "MWST" else "amount")


def _seed_sap(sandbox: Sandbox) -> None:
    sandbox.sap.auto_bill = True
    partners = sandbox.sap.rows(PARTNERS, "A_BusinessPartner")
    if any(p["BusinessPartner"] == SAP_WEBSHOP for p in partners):
        return
    sandbox.sap.add_customer(
        "Sandbox Goods web shop", business_partner=SAP_WEBSHOP, search_term="WEBSHOP"
    )
    for cuor, flagged, lines, delivery, buyer in _WEB_ORDERS:
        sandbox.sap.add_sales_order(_sap_order(cuor, flagged, lines, delivery, buyer))


def seed_orders(sandbox: Sandbox) -> None:
    """Add this module's data to the fakes (once; calling it again changes nothing): the two
    dead-letter Amazon orders, the web shop's orders in M3 and SAP, SAP billing each goods
    issue. Every config builder here calls it."""
    _seed_amazon(sandbox)
    _seed_m3(sandbox)
    _seed_sap(sandbox)
    _seed_charges(sandbox)


def _order_types(afn: str, merchant: str) -> OrderTypeRules:
    return OrderTypeRules(
        [OrderTypeRule(afn, fulfillment_channel=FulfillmentChannel.AMAZON, warehouse=WAREHOUSE)],
        OrderTypeRule(merchant),
    )


def order_to_cash_m3_config(sandbox: Sandbox) -> OrderToCashM3Config:
    """Orders of Amazon.com and Amazon.ca into the fake M3 (see the module docs)."""
    seed_orders(sandbox)
    markets = _north_america(sandbox)
    return OrderToCashM3Config(
        marketplaces=markets,
        customers=CustomerRules(marketplaces={m: sandbox.m3_customers[m] for m in markets}),
        order_types=_order_types("AZF", "AZM"),
        start=START,
        settings=M3OrderSettings(charges=M3_CHARGES, price_decimals=2),
        unit_price=rounded_unit_price,
    )


def order_to_cash_sap_config(sandbox: Sandbox) -> OrderToCashSapConfig:
    """Orders of the UK, German and Japanese marketplaces into the fake SAP."""
    seed_orders(sandbox)
    markets = _others(sandbox)
    return OrderToCashSapConfig(
        marketplaces=markets,
        customers=CustomerRules(marketplaces={m: sandbox.sap_customers[m] for m in markets}),
        order_types=_order_types("ZAFN", "OR"),
        start=START,
        settings=evolve(SAP_SETTINGS, charges=SAP_CHARGES, price_decimals=2),
        unit_price=rounded_unit_price,
    )


def mcf_m3_config(sandbox: Sandbox) -> McfM3Config:
    """The web shop's M3 orders of type MCF, shipped by Amazon from the US."""
    seed_orders(sandbox)
    return McfM3Config(
        customers=(M3_WEBSHOP,),
        rules=MCF_RULES_M3,
        tracking_polls=TRACKING_POLLS,
        poll_interval=POLL_INTERVAL,
    )


def mcf_sap_config(sandbox: Sandbox) -> McfSapConfig:
    """The web shop's SAP sales orders of type ZMCF, shipped by Amazon from the US."""
    seed_orders(sandbox)
    return McfSapConfig(
        rules=MCF_RULES_SAP, tracking_polls=TRACKING_POLLS, poll_interval=POLL_INTERVAL
    )


__all__ = [
    "DEAD_LETTER_M3",
    "DEAD_LETTER_SAP",
    "M3_CHARGES",
    "MCF_RULES_M3",
    "MCF_RULES_SAP",
    "RIGHT_SKU",
    "SAP_CHARGES",
    "START",
    "TYPO_SKU",
    "mcf_m3_config",
    "mcf_sap_config",
    "order_to_cash_m3_config",
    "order_to_cash_sap_config",
    "seed_orders",
]
