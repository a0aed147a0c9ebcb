"""mcf_update_request refuses an ERP request body it cannot compare, naming what is missing."""

import pytest

from amazon_erp_bridge.amazon.fulfillment import (
    FulfillmentOrder,
    FulfillmentOrderDetails,
    FulfillmentOrderItem,
)
from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.mapping import mcf_update_request
from amazon_erp_bridge.model import Address

HELD = FulfillmentOrderDetails(
    FulfillmentOrder("WEB-1", "WEB-1", "New", "Standard", Address(name="A", line1="1 Road")),
    (FulfillmentOrderItem("SKU-1", "10", 2),),
)


@pytest.mark.parametrize(
    ("wanted", "words"),
    [
        ({}, "destinationAddress"),
        ({"destinationAddress": {}, "items": "x"}, "items is not a list"),
        ({"destinationAddress": {}, "items": [{"sellerSku": "SKU-1"}]}, "lacks"),
        (
            {
                "destinationAddress": {},
                "items": [
                    {"sellerSku": "S", "sellerFulfillmentOrderItemId": "10", "quantity": 1.5}
                ],
            },
            "not a whole number",
        ),
    ],
)
def test_an_incomplete_erp_body_is_a_mapping_error_naming_the_order(wanted, words):
    with pytest.raises(MappingError, match=words) as caught:
        mcf_update_request(wanted, HELD)
    assert "WEB-1" in str(caught.value)
