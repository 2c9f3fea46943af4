"""User ids for sandboxes: one per sandbox, never shared by two that run at once, none of a real user's.

Ids come from a range above systemd's container range (up to 0x6FFFFFFF) and the usual /etc/subuid
ranges; any id that /etc/passwd, /etc/subuid or /etc/subgid names is skipped. A run counter (in a
root-only folder) picks the next slot, so an id comes back only after 65536 other sandboxes; a slot is
held by a lock on its file for as long as its sandbox lives, released by the kernel when the holder's
process ends, however it ends.
"""

import fcntl
import os
import tempfile
from functools import cache
from pathlib import Path

FIRST_UID = 0x70000000  # 1879048192
SLOTS = 65536
STATE_FOLDERS = (Path("/run/grader-sandbox-uids"), Path(tempfile.gettempdir()) / "grader-sandbox-uids")


class NoFreeUid(RuntimeError):
    """Every sandbox user id is held by a running sandbox."""


@cache
def _claimed_elsewhere() -> tuple[tuple[int, int], ...]:
    """Id ranges (first, last) other users of this machine have: /etc/passwd and the subordinate ranges."""
    ranges = []
    for file in ("/etc/subuid", "/etc/subgid"):
        try:
            lines = Path(file).read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            parts = line.split(":")
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                ranges.append((int(parts[1]), int(parts[1]) + int(parts[2]) - 1))
    try:
        for line in Path("/etc/passwd").read_text().splitlines():
            parts = line.split(":")
            if len(parts) > 3 and parts[2].isdigit():
                ranges.append((int(parts[2]), int(parts[2])))
    except OSError:
        pass
    return tuple(ranges)


def _free_of_others(uid: int) -> bool:
    return not any(first <= uid <= last for first, last in _claimed_elsewhere())


def _state_folder() -> Path:
    for folder in STATE_FOLDERS:
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            continue
        if folder.stat().st_uid == os.geteuid():
            return folder
    raise NoFreeUid("no folder for the sandbox user ids' locks (/run and the temp folder are not writable)")


class SandboxUser:
    """A user id held for one sandbox until :meth:`release` (or this process's end)."""

    def __init__(self, uid: int, lock: int):
        self.uid, self._lock = uid, lock

    def release(self) -> None:
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


def allocate() -> SandboxUser:
    """The next free sandbox user id, held until released."""
    folder = _state_folder()
    counter = os.open(folder / "counter", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(counter, fcntl.LOCK_EX)
        text = os.pread(counter, 32, 0).decode(errors="replace").strip()
        start = int(text) % SLOTS if text.isdigit() else 0
        for step in range(SLOTS):
            slot = (start + step) % SLOTS
            if not _free_of_others(FIRST_UID + slot):
                continue
            lock = os.open(folder / f"{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(lock)
                continue
            os.ftruncate(counter, 0)
            os.pwrite(counter, str(slot + 1).encode(), 0)
            return SandboxUser(FIRST_UID + slot, lock)
    finally:
        os.close(counter)
    raise NoFreeUid(f"all {SLOTS} sandbox user ids are held by running sandboxes")


def is_sandbox_uid(uid: int) -> bool:
    return FIRST_UID <= uid < FIRST_UID + SLOTS
