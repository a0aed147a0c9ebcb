"""Message sources: in memory and a file directory; nothing is ever lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.events.sources import MAX_FILE_BYTES, DirectorySource, MemorySource


def test_memory_source_receive_acknowledge_give_back_dead_letter() -> None:
    source = MemorySource([b"a", "b", b"c"])
    first = source.receive(2)
    assert [m.body for m in first] == [b"a", b"b"]
    source.acknowledge(first[0])
    source.give_back(first[1], "ERP down")
    assert [m.body for m in source.receive(10)] == [b"c", b"b"]
    with pytest.raises(ConfigurationError, match="not held"):
        source.acknowledge(first[0])


def test_memory_source_parks_with_the_reason() -> None:
    source = MemorySource(["x"])
    (message,) = source.receive(1)
    source.dead_letter(message, "not an event")
    assert source.dead == [(message, "not an event")]
    assert source.receive(1) == []


def test_directory_source_moves_files(tmp_path: Path) -> None:
    (tmp_path / "001.json").write_text("{}")
    (tmp_path / "002.xml").write_text("<a/>")
    (tmp_path / "003.json").write_text("[]")
    (tmp_path / "notes.txt").write_text("ignored")
    source = DirectorySource(tmp_path)
    batch = source.receive(10)
    assert [m.message_id for m in batch] == ["001.json", "002.xml", "003.json"]
    source.acknowledge(batch[0])
    source.dead_letter(batch[1], "unknown BOD")
    source.give_back(batch[2], "ERP down")
    assert (tmp_path / "done" / "001.json").is_file()
    assert (tmp_path / "failed" / "002.xml").is_file()
    assert (tmp_path / "failed" / "002.xml.reason.txt").read_text() == "unknown BOD\n"
    assert (tmp_path / "003.json").is_file()
    assert (tmp_path / "notes.txt").is_file()


def test_directory_source_puts_back_what_a_dead_consumer_held(tmp_path: Path) -> None:
    (tmp_path / "001.json").write_text("{}")
    DirectorySource(tmp_path).receive(1)  # and dies
    assert not (tmp_path / "001.json").exists()
    again = DirectorySource(tmp_path).receive(1)
    assert [m.message_id for m in again] == ["001.json"]


def test_directory_source_parks_an_oversized_file(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_bytes(b" " * (MAX_FILE_BYTES + 1))
    source = DirectorySource(tmp_path)
    assert source.receive(5) == []
    assert "more than" in (tmp_path / "failed" / "big.json.reason.txt").read_text()


def test_directory_source_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no such directory"):
        DirectorySource(tmp_path / "missing")
