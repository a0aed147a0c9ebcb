"""A fake ION API gateway and M3 for tests, examples and the demo.

::

    from amazon_erp_bridge.sandbox.infor import FakeIonApi, ManualClock

    fake = FakeIonApi(clock=ManualClock())
    fake.state.add_customer("AMZ_US", "Amazon.com")
    fake.state.add_item("SKU-1", "Mug")
    m3 = M3Client(fake.config(), transport=fake.transport(), cono=fake.cono)
"""

from amazon_erp_bridge.sandbox.infor.gateway import DEFAULT_URL, FakeIonApi, ManualClock
from amazon_erp_bridge.sandbox.infor.programs import PROGRAMS, Nok
from amazon_erp_bridge.sandbox.infor.state import M3State

__all__ = ["DEFAULT_URL", "PROGRAMS", "FakeIonApi", "M3State", "ManualClock", "Nok"]
