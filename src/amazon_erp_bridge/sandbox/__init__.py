"""Local, stateful fakes of SP-API, ION/M3 and SAP OData for tests, examples and the demo."""

from amazon_erp_bridge.sandbox.server import Faults, LocalServer, Reply, Router, SandboxRequest

__all__ = ["Faults", "LocalServer", "Reply", "Router", "SandboxRequest"]
