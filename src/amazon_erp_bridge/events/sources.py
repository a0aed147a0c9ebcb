"""Where event messages come from: a small protocol, and two sources that ship with it.

Plug in your own SQS or EventBridge consumer by implementing :class:`MessageSource` (receive a
batch, acknowledge, give back, dead-letter); no cloud SDK is a dependency of the library.
:class:`MemorySource` serves tests and demos; :class:`DirectorySource` reads one message per
file from a folder (drop files in, as an SQS-to-disk relay or a person would), moving each to
``done/`` when acknowledged and to ``failed/`` with a ``.reason.txt`` beside it when parked.

Delivery is at least once: a message given back (or never acknowledged, when the consumer
dies) comes again, and duplicates are absorbed by the ledger further down.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Final, Protocol

from attrs import frozen

from amazon_erp_bridge.errors import ConfigurationError

#: The largest message file read by :class:`DirectorySource`, in bytes.
MAX_FILE_BYTES: Final = 1024 * 1024


@frozen
class Message:
    """One message as a source holds it: an id for acknowledgement and the raw body."""

    message_id: str
    body: bytes


class MessageSource(Protocol):
    """What the runner needs of a queue: receive, acknowledge, give back, dead-letter."""

    def receive(self, max_messages: int) -> list[Message]:
        """Up to ``max_messages`` messages, each held by this consumer until settled."""
        ...

    def acknowledge(self, message: Message) -> None:
        """The message was handled: never deliver it again."""
        ...

    def give_back(self, message: Message, reason: str) -> None:
        """Handling failed for a passing reason: deliver it again later."""
        ...

    def dead_letter(self, message: Message, reason: str) -> None:
        """The message cannot be handled as it is: park it with ``reason`` for a person."""
        ...


class MemorySource:
    """An in-memory queue: messages given back go to the end; parked ones stay listed."""

    def __init__(self, messages: Iterable[Message | bytes | str] = ()) -> None:
        self._queue: deque[Message] = deque()
        self._held: dict[str, Message] = {}
        self.acknowledged: list[Message] = []
        self.dead: list[tuple[Message, str]] = []
        self._count = 0
        for message in messages:
            self.put(message)

    def put(self, message: Message | bytes | str) -> Message:
        """Enqueue one message (bytes/str get an id ``m<n>``)."""
        if not isinstance(message, Message):
            self._count += 1
            body = message.encode("utf-8") if isinstance(message, str) else message
            message = Message(f"m{self._count:06d}", body)
        self._queue.append(message)
        return message

    def __len__(self) -> int:
        return len(self._queue)

    def receive(self, max_messages: int) -> list[Message]:
        """Up to ``max_messages`` from the front of the queue."""
        batch: list[Message] = []
        while self._queue and len(batch) < max_messages:
            message = self._queue.popleft()
            self._held[message.message_id] = message
            batch.append(message)
        return batch

    def _settle(self, message: Message) -> None:
        if self._held.pop(message.message_id, None) is None:
            raise ConfigurationError(f"message {message.message_id}: not held by this consumer")

    def acknowledge(self, message: Message) -> None:
        """Forget the message."""
        self._settle(message)
        self.acknowledged.append(message)

    def give_back(self, message: Message, reason: str) -> None:
        """Queue the message again at the end."""
        self._settle(message)
        self._queue.append(message)

    def dead_letter(self, message: Message, reason: str) -> None:
        """Park the message with its reason in :attr:`dead`."""
        self._settle(message)
        self.dead.append((message, reason))


class DirectorySource:
    """Messages as files in ``inbox``: ``*.json`` or ``*.xml``, oldest name first.

    A received file is renamed into ``processing/`` (atomic, so two consumers never take the
    same file), then into ``done/`` (acknowledged), back to the inbox (given back) or into
    ``failed/`` with ``<name>.reason.txt`` (dead-lettered). A file left in ``processing/`` by
    a consumer that died is put back in the inbox when the source opens.
    """

    def __init__(self, inbox: str | os.PathLike[str]) -> None:
        self.inbox = Path(inbox)
        if not self.inbox.is_dir():
            raise ConfigurationError(f"event directory {self.inbox}: no such directory")
        self.processing = self.inbox / "processing"
        self.done = self.inbox / "done"
        self.failed = self.inbox / "failed"
        for folder in (self.processing, self.done, self.failed):
            folder.mkdir(exist_ok=True)
        for stranded in sorted(self.processing.iterdir()):
            stranded.replace(self.inbox / stranded.name)

    def receive(self, max_messages: int) -> list[Message]:
        """Up to ``max_messages`` files, taken into ``processing/``."""
        batch: list[Message] = []
        for path in sorted(self.inbox.iterdir()):
            if len(batch) >= max_messages:
                break
            if not path.is_file() or path.suffix not in (".json", ".xml"):
                continue
            target = self.processing / path.name
            try:
                path.replace(target)
            except FileNotFoundError:  # another consumer took it
                continue
            size = target.stat().st_size
            if size > MAX_FILE_BYTES:
                body = b""
                message = Message(path.name, body)
                self.dead_letter(message, f"{size} bytes is more than the {MAX_FILE_BYTES} allowed")
                continue
            batch.append(Message(path.name, target.read_bytes()))
        return batch

    def _held(self, message: Message) -> Path:
        path = self.processing / message.message_id
        if not path.is_file():
            raise ConfigurationError(f"message {message.message_id}: not held by this consumer")
        return path

    def acknowledge(self, message: Message) -> None:
        """Move the file to ``done/``."""
        self._held(message).replace(self.done / message.message_id)

    def give_back(self, message: Message, reason: str) -> None:
        """Move the file back to the inbox, to be received again."""
        self._held(message).replace(self.inbox / message.message_id)

    def dead_letter(self, message: Message, reason: str) -> None:
        """Move the file to ``failed/`` and write the reason beside it."""
        self._held(message).replace(self.failed / message.message_id)
        (self.failed / f"{message.message_id}.reason.txt").write_text(reason + "\n", "utf-8")


__all__ = ["MAX_FILE_BYTES", "DirectorySource", "MemorySource", "Message", "MessageSource"]
