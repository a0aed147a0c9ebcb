"""Local, stateful fakes of SP-API, ION/M3 and SAP OData for tests, examples and the demo.

:class:`Sandbox` runs all three on 127.0.0.1 with seed data that agree with each other; the
single fakes (:class:`~amazon_erp_bridge.sandbox.amazon.FakeSpApi`,
:class:`~amazon_erp_bridge.sandbox.infor.FakeIonApi`,
:class:`~amazon_erp_bridge.sandbox.sap.FakeSap`)
are there for focused tests.
"""

from amazon_erp_bridge.sandbox.environment import Sandbox
from amazon_erp_bridge.sandbox.server import Faults, LocalServer, Reply, Router, SandboxRequest

__all__ = ["Faults", "LocalServer", "Reply", "Router", "Sandbox", "SandboxRequest"]
