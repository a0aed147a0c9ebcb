"""All three fakes at once, seeded so their data agree: the world the demo and examples run in.

The SP-API fake's catalogue becomes M3 items (with MMS025 aliases for the seller SKU, ASIN and
FNSKU) and SAP products (material number = seller SKU); every seeded marketplace gets an M3
customer and an SAP business partner. Clients built here point at the fakes, either over real
HTTP on 127.0.0.1 (after :meth:`Sandbox.start`) or in-process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

from amazon_erp_bridge.amazon import AsyncSpApiClient, SpApiClient
from amazon_erp_bridge.amazon.endpoints import MARKETPLACES
from amazon_erp_bridge.core.limiter import Rate, RateLimiter
from amazon_erp_bridge.infor import AsyncM3Client, IonApiConfig, M3Client
from amazon_erp_bridge.sandbox.amazon import FakeSpApi
from amazon_erp_bridge.sandbox.amazon.state import SEED_MARKETPLACES
from amazon_erp_bridge.sandbox.clients import async_spapi_client, spapi_client
from amazon_erp_bridge.sandbox.infor import FakeIonApi
from amazon_erp_bridge.sandbox.sap import FakeSap
from amazon_erp_bridge.sandbox.sap.fake import PASSWORD, USER
from amazon_erp_bridge.sandbox.server import LocalServer
from amazon_erp_bridge.sap import AsyncODataClient, ODataClient, basic

#: The M3 warehouse and SAP plant that stock the catalogue.
WAREHOUSE: Final = "AMZ"
#: The M3 clients' pace here: the fake gateway has no quota unless ``ion.rate_limit`` sets
#: one, and at a real tenant's 10 calls a second the demo's few hundred MI calls take long.
M3_SANDBOX_RATE: Final = Rate(per_second=200.0, burst=200)


def _country(marketplace_id: str) -> str:
    return MARKETPLACES[marketplace_id].country_code


class Sandbox:
    """SP-API + LWA, ION/M3 and SAP S/4HANA fakes with consistent seed data.

    ``seed`` makes the Amazon orders, events and stock deterministic; ``orders`` is how many
    orders the Amazon fake holds. Use as a context manager to serve all three on 127.0.0.1::

        with Sandbox() as sandbox:
            amazon = sandbox.spapi_client()
            m3 = sandbox.m3_client()
            sap = sandbox.sap_client()
    """

    def __init__(
        self, seed: int = 7, *, orders: int = 24, clock: Callable[[], float] = time.time
    ) -> None:
        self.amazon = FakeSpApi(seed, orders=orders, clock=clock)
        self.ion = FakeIonApi(clock=clock)
        self.sap = FakeSap()
        self._servers: dict[str, LocalServer] = {}
        #: marketplace id -> M3 customer number (CUNO) of its marketplace customer.
        self.m3_customers: Mapping[str, str] = MappingProxyType(self._seed_m3())
        #: marketplace id -> SAP business partner (SoldToParty) of its marketplace customer.
        self.sap_customers: Mapping[str, str] = MappingProxyType(self._seed_sap())

    # -- seed data ------------------------------------------------------------------------

    @property
    def marketplaces(self) -> tuple[str, ...]:
        """The marketplaces the Amazon fake sells in, in a stable order."""
        return tuple(dict.fromkeys(SEED_MARKETPLACES))

    def _seed_m3(self) -> dict[str, str]:
        customers = {}
        for marketplace_id in self.marketplaces:
            cuno = f"AMZ{_country(marketplace_id)}"
            self.ion.add_customer(cuno, f"Amazon {_country(marketplace_id)} marketplace")
            customers[marketplace_id] = cuno
        for product in self.amazon.state.products:
            self.ion.add_item(
                self.m3_item(product.sku),
                product.title,
                aliases={
                    "seller_sku": product.sku,
                    "asin": product.asin,
                    "fnsku": product.fnsku,
                },
            )
        return customers

    def _seed_sap(self) -> dict[str, str]:
        customers = {}
        for number, marketplace_id in enumerate(self.marketplaces, start=1):
            country = _country(marketplace_id)
            customers[marketplace_id] = self.sap.add_customer(
                f"Amazon {country} marketplace",
                business_partner=f"17{number:05d}",
                search_term=f"AMAZON{country}",
            )
        for product in self.amazon.state.products:
            self.sap.add_product(product.sku, description=product.title, price=product.price_usd)
        return customers

    @staticmethod
    def m3_item(seller_sku: str) -> str:
        """The M3 item number the sandbox gives a seller SKU (``SKU-MUG-01`` -> ``MUG01``)."""
        return seller_sku.removeprefix("SKU-").replace("-", "")

    # -- serving --------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Serve the three fakes on 127.0.0.1 (free ports) until :meth:`stop`."""
        if not self._servers:
            for name, router in (
                ("amazon", self.amazon.router),
                ("ion", self.ion.router),
                ("sap", self.sap.router),
            ):
                self._servers[name] = LocalServer(router).start()
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def serving(self) -> bool:
        return bool(self._servers)

    def url(self, name: str) -> str | None:
        """The loopback URL of ``"amazon"``, ``"ion"`` or ``"sap"`` while serving, else None."""
        server = self._servers.get(name)
        return server.url if server else None

    # -- clients --------------------------------------------------------------------------

    def _in_process(self, transport: Any, kw: dict[str, Any]) -> dict[str, Any]:
        """Client arguments: the fake's in-process transport unless serving or given ``http``."""
        if not self.serving and "http" not in kw:
            kw.setdefault("transport", transport)
        return kw

    def _spapi_args(self, kw: dict[str, Any]) -> dict[str, Any]:
        url = self.url("amazon")
        if url:
            kw.setdefault("endpoint", url)
        return kw

    def spapi_client(self, **kw: Any) -> SpApiClient:
        """An SP-API client for the Amazon fake (over HTTP while serving)."""
        return spapi_client(self.amazon, **self._spapi_args(kw))

    def async_spapi_client(self, **kw: Any) -> AsyncSpApiClient:
        return async_spapi_client(self.amazon, **self._spapi_args(kw))

    def ionapi(self) -> dict[str, str]:
        """The ``.ionapi`` contents for the ION fake (write them to a file to try the CLI)."""
        url = self.url("ion")
        return self.ion.ionapi(url) if url else self.ion.ionapi()

    def _m3_args(self, kw: dict[str, Any]) -> tuple[IonApiConfig, dict[str, Any]]:
        config = IonApiConfig.from_dict(self.ionapi(), source="<sandbox>")
        kw.setdefault("cono", self.ion.cono)
        kw.setdefault("divi", self.ion.divi)
        kw.setdefault("limiter", RateLimiter(default=M3_SANDBOX_RATE))
        return config, self._in_process(self.ion.transport(), kw)

    def m3_client(self, **kw: Any) -> M3Client:
        """An M3 client for the ION fake, configured from its ``.ionapi``, in its company."""
        config, args = self._m3_args(kw)
        return M3Client(config, **args)

    def async_m3_client(self, **kw: Any) -> AsyncM3Client:
        config, args = self._m3_args(kw)
        return AsyncM3Client(config, **args)

    def _sap_args(self, kw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kw.setdefault("auth", basic(USER, PASSWORD))
        url = self.url("sap") or "https://s4hana.sandbox.test"
        return url, self._in_process(self.sap.transport(), kw)

    def sap_client(self, **kw: Any) -> ODataClient:
        """An OData client for the SAP fake, logged on as its communication user."""
        url, args = self._sap_args(kw)
        return ODataClient(url, **args)

    def async_sap_client(self, **kw: Any) -> AsyncODataClient:
        url, args = self._sap_args(kw)
        return AsyncODataClient(url, **args)
