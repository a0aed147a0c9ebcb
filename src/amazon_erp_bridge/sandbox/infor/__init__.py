"""A fake ION API gateway and M3 for tests, examples and the demo. It imports no client code:
its field tables come from Infor's published MI metadata (``_generated``), so the fake and
the client can disagree and a test can notice.

::

    from amazon_erp_bridge.sandbox.infor import FakeIonApi, ManualClock

    fake = FakeIonApi(clock=ManualClock())
    fake.state.add_customer("AMZ_US", "Amazon.com")
    fake.state.add_item("SKU-1", "Mug")
    config = IonApiConfig.from_dict(fake.ionapi())     # the client reads the fake's .ionapi
    m3 = M3Client(config, transport=fake.transport(), cono=fake.cono)
"""

from amazon_erp_bridge.sandbox.infor.gateway import DEFAULT_URL, FakeIonApi, ManualClock
from amazon_erp_bridge.sandbox.infor.programs import PROGRAMS, Nok
from amazon_erp_bridge.sandbox.infor.state import M3State

__all__ = ["DEFAULT_URL", "PROGRAMS", "FakeIonApi", "M3State", "ManualClock", "Nok"]
