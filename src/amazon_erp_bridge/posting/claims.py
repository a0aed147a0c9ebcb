"""Who holds a record while it is being posted, and whether that holder is still alive.

An owner id is ``"host:pid:nonce"``, fresh for every post, so threads and asyncio tasks of one
process never share a claim. A claim is stale when its lease has run out, or
when its owner is a process on this machine that no longer exists (it crashed or was killed),
so the next run can take the record over at once instead of waiting for the lease. (Should the
dead pid have been reused meanwhile, the claim merely looks alive until its lease runs out.)
"""

from __future__ import annotations

import os
import socket
import sys
import uuid

_HOST = socket.gethostname().replace(":", "_")


def new_owner() -> str:
    """A fresh owner id for one post by this process."""
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _pid_alive(pid: int) -> bool:
    if sys.platform == "win32":  # signal 0 is not a probe there; rely on the lease alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """True for a process that has exited but whose parent has not reaped it yet (Linux).

    A worker killed with SIGKILL stays a zombie until its supervisor waits for it; signal 0
    still reaches it, but it will never finish a post.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[-1].split()
    except OSError:
        return False
    return bool(fields) and fields[0] == b"Z"


def owner_alive(owner: str) -> bool:
    """False only when ``owner`` is certainly gone: a process on this host that has exited."""
    parts = owner.split(":")
    if len(parts) < 2 or parts[0] != _HOST:
        return True
    try:
        pid = int(parts[1])
    except ValueError:
        return True
    return pid == os.getpid() or _pid_alive(pid)


def claim_is_live(owner: str | None, expires: float | None, now: float) -> bool:
    """True while a claim still protects its record from other posters."""
    if owner is None:
        return False
    if expires is not None and expires <= now:
        return False
    return owner_alive(owner)
