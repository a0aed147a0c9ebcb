"""M3 GL reversal keeps what each line is (issue 14): a tax line keeps its VAT code (written
at VTCD of the VAT PARM layout) and its base, a receivable line its customer; only the signs
turn."""

from datetime import date

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor import VAT_PARM_LAYOUT
from amazon_erp_bridge.infor import gl as gl_ops
from amazon_erp_bridge.model import JournalEntry, JournalLine, Money

REFERENCE = "31000000777"


def entry() -> JournalEntry:
    return JournalEntry(
        reference=REFERENCE,
        posting_date=date(2026, 3, 17),
        lines=(
            JournalLine("6110", Money("10.00", "GBP"), tax_code="20"),
            JournalLine(
                "2640", Money("2.00", "GBP"), tax_code="20", tax_base=Money("10.00", "GBP")
            ),
            JournalLine(
                "1510",
                Money("-5.00", "GBP"),
                customer="AMAZONUK",
                reference="205-7954050-1090518",
            ),
            JournalLine("1930", Money("-7.00", "GBP")),
        ),
    )


def test_reversed_lines_keep_tax_code_base_and_customer(m3, fake, monkeypatch):
    m3.gl.post_journal(entry(), layout=VAT_PARM_LAYOUT)
    sent: list[JournalEntry] = []
    post = gl_ops.post_journal

    def capture(ctx, reversed_entry, **kwargs):
        sent.append(reversed_entry)
        return (yield from post(ctx, reversed_entry, **kwargs))

    monkeypatch.setattr(gl_ops, "post_journal", capture)
    result = m3.gl.reverse_journal(entry(), posting_date=date(2026, 3, 31), layout=VAT_PARM_LAYOUT)
    assert result.posted_now
    (reversed_entry,) = sent
    base, tax, debtor, bank = reversed_entry.lines
    assert (base.tax_code, base.tax_base, base.amount) == ("20", None, Money("-10.00", "GBP"))
    assert (tax.tax_code, tax.tax_base) == ("20", Money("-10.00", "GBP"))
    assert tax.is_tax and debtor.is_receivable
    assert (debtor.customer, debtor.reference) == ("AMAZONUK", "205-7954050-1090518")
    assert debtor.amount == Money("5.00", "GBP")
    assert (bank.tax_code, bank.customer) == (None, None)


def test_the_vat_code_lands_at_vtcd_in_the_posted_and_the_reversal_batch(m3, fake):
    m3.gl.post_journal(entry(), layout=VAT_PARM_LAYOUT)
    m3.gl.reverse_journal(entry(), posting_date=date(2026, 3, 31), layout=VAT_PARM_LAYOUT)
    for key1, signs in ((REFERENCE, 1), (gl_ops.reversal_key(REFERENCE), -1)):
        batch = fake.state.gl_batches[key1]
        values = [VAT_PARM_LAYOUT.parse(p) for _, p in sorted(batch.lines.items())]
        assert [v["VTCD"] for v in values] == ["20", "20", "", ""]
        amounts = ["10.00", "2.00", "-5.00", "-7.00"]
        if signs < 0:
            amounts = ["-10.00", "-2.00", "5.00", "7.00"]
        assert [v["CUAM"] for v in values] == amounts


def test_a_tax_code_longer_than_vtcd_is_refused_naming_the_line(m3):
    long_code = JournalEntry(
        reference=REFERENCE,
        posting_date=date(2026, 3, 17),
        lines=(
            JournalLine("6110", Money("1.00", "GBP"), tax_code="A20"),
            JournalLine("1930", Money("-1.00", "GBP")),
        ),
    )
    with pytest.raises(ValidationError, match=r"journal 31000000777 line 1: VTCD .*'A20'"):
        m3.gl.post_journal(long_code, layout=VAT_PARM_LAYOUT)
