"""Whether a GLS840 batch found by KEY1 is posted: the lookup's posted statuses decide."""

import pytest

from amazon_erp_bridge.errors import TransportError
from amazon_erp_bridge.infor import GlBatchLookup

from .test_gl import SETTLEMENT, entry


def test_a_posted_batch_says_so(m3):
    m3.gl.post_journal(entry())
    batch = m3.gl.find_batch(SETTLEMENT)
    assert (batch.status, batch.posted) == ("90", True)


def test_a_batch_a_crash_left_controlled_is_not_posted(m3, fake):
    fake.lose_reply("GLS840MI", "CtrlBatch")
    with pytest.raises(TransportError):
        m3.gl.post_journal(entry())
    batch = m3.gl.find_batch(SETTLEMENT)
    assert (batch.status, batch.posted) == ("20", False)


def test_a_site_sets_its_own_posted_statuses(m3):
    m3.gl.post_journal(entry())
    lookup = GlBatchLookup(posted_statuses=["99"])
    assert m3.gl.find_batch(SETTLEMENT, lookup=lookup).posted is False


def test_without_a_status_column_only_existence_is_known(m3):
    m3.gl.post_journal(entry())
    lookup = GlBatchLookup(status_field="NOPE")
    batch = m3.gl.find_batch(SETTLEMENT, lookup=lookup)
    assert batch.status is None and batch.posted is None
