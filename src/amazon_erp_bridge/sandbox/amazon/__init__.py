"""A stateful fake of Amazon's Selling Partner API and Login with Amazon."""

from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi, ManualClock
from amazon_erp_bridge.sandbox.amazon.state import SpApiState

__all__ = ["Caller", "FakeSpApi", "ManualClock", "SpApiState"]
