"""One control group per sandbox: its memory (RAM and its /tmp, a tmpfs, together), its processes and its
share of the CPU bounded as a whole, its CPU time and peak memory counted for all its processes, and all of
them killed at once when the notebook is done.

cgroup v2 is used where the machine lets root enable its controllers for a folder of its own (``memory``,
``pids``, ``cpu``); where a controller is bound to a v1 hierarchy instead (a "hybrid" machine), the v1
``memory``, ``pids``, ``cpu`` and ``cpuacct`` controllers are used, each where it is writable; a v2
hierarchy with no controller still kills and counts. Where none can be had, :func:`hierarchies` is empty
and the sandbox keeps its per-process limits only (grader.safety.confine). Standard library only: the warm
process imports this.
"""

import os
import signal
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PARENT = "grader-sandboxes"  # the folder, in each hierarchy, holding one group per sandbox
WANTED = ("memory", "pids", "cpu", "cpuacct")
CPU_WEIGHT, CPU_SHARES = 50, 512  # half the default share of the CPU (v2 weight 100, v1 shares 1024)
OWN_PROCESSES = 4  # the sandbox's own processes beside the notebook's: bwrap twice, the holder, a shell
OOM_SCORE_ADJ = b"1000"  # a sandboxed process is the first the kernel's OOM killer picks, never the grader
REMOVE_SECONDS = 10


@dataclass(frozen=True)
class Hierarchy:
    """Where this machine lets the grader make sandboxes' groups: a cgroup file system's folder and what it bounds."""

    version: int
    parent: Path
    controllers: frozenset[str]


def _cgroup_mounts() -> list[tuple[str, Path, set[str]]]:
    """(file system type, mount point, options) of every cgroup file system this process sees."""
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields, _, tail = line.partition(" - ")
        kind, _, options = (tail.split() + ["", "", ""])[:3]
        if kind in ("cgroup", "cgroup2"):
            found.append((kind, Path(fields.split()[4]), set(options.split(","))))
    return found


def _own_paths() -> dict[str, str]:
    """This process's cgroup path in each hierarchy: controller name (or "" for v2) -> path."""
    paths = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _write(path: Path, text: str) -> bool:
    try:
        path.write_text(text)
    except OSError:
        return False
    return True


def _v2(mount: Path) -> Hierarchy | None:
    """A folder of our own at the top of the v2 hierarchy, with every wanted controller it can have."""
    available = set((mount / "cgroup.controllers").read_text().split()) & set(WANTED)
    for controller in available:  # the root cgroup may hold processes and still enable controllers
        _write(mount / "cgroup.subtree_control", f"+{controller}")
    parent = mount / PARENT
    try:
        parent.mkdir(exist_ok=True)
    except OSError:
        return None
    for controller in available:
        _write(parent / "cgroup.subtree_control", f"+{controller}")
    enabled = set((parent / "cgroup.subtree_control").read_text().split())
    return Hierarchy(2, parent, frozenset(enabled))


@cache
def hierarchies() -> tuple[Hierarchy, ...]:
    """The hierarchies a sandbox's group is made in, found (and our folders made) once per process."""
    if os.geteuid() != 0:
        return ()
    found, own = [], _own_paths()
    for kind, mount, options in _cgroup_mounts():
        try:
            if kind == "cgroup2":
                hierarchy = _v2(mount)
            else:
                controllers = options & set(WANTED)
                path = next((own[c] for c in controllers if c in own), None)
                if not controllers or path is None:
                    continue
                parent = mount / path.lstrip("/") / PARENT
                parent.mkdir(exist_ok=True)
                hierarchy = Hierarchy(1, parent, frozenset(controllers))
        except OSError:
            continue
        if hierarchy is not None:
            found.append(hierarchy)
    return tuple(found)


def describe(memory_bytes: int, processes: int, memory_holds: str = "") -> str:
    """What bounds a sandbox as a whole here, for the limits line: e.g. "cgroup v1 per sandbox (7 GiB ...)"."""
    controllers = {(h.version, c) for h in hierarchies() for c in h.controllers}
    names = {c for _, c in controllers}
    if not names & {"memory", "pids"}:
        return "no cgroup (memory and processes bounded per process only)"
    versions = "+".join(f"v{v}" for v in sorted({v for v, c in controllers if c in ("memory", "pids", "cpu")}))
    gib = f"{memory_bytes / 2**30:.2f}".rstrip("0").rstrip(".")
    bounds = [f"{gib} GiB of memory{memory_holds}"] if "memory" in names else []
    bounds += [f"{processes + OWN_PROCESSES} tasks"] if "pids" in names else []
    bounds += ["a lower CPU weight"] if "cpu" in names else []
    return f"cgroup {versions} per sandbox ({', '.join(bounds)})"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pids(directory: Path) -> list[int]:
    try:
        return [int(pid) for pid in (directory / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def _kill(directory: Path) -> None:
    """Kill every process in a group: at once where the kernel can (cgroup.kill, v2), else one by one (a
    process forking meanwhile is caught by the next call: the group's process limit bounds how many)."""
    _write(directory / "cgroup.kill", "1")
    for pid in _pids(directory):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _kill_and_remove(directory: Path, seconds: float) -> bool:
    """Kill every process in a group and remove it; False if it could not be removed in time."""
    deadline = time.monotonic() + seconds
    while True:
        _kill(directory)
        try:
            directory.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)


def _remove_stale(parent: Path) -> None:
    """Remove groups left by launchers that were killed (named after the launcher's pid)."""
    for directory in parent.glob("sandbox-*"):
        owner = directory.name.split("-")[1]
        if owner.isdigit() and not _alive(int(owner)):
            _kill_and_remove(directory, 1)


def _read_number(path: Path, key: str | None = None) -> int:
    """A number in a cgroup file: the whole file, or the value after ``key`` on one of its lines (0 if absent)."""
    try:
        text = path.read_text()
    except OSError:
        return 0
    if key is None:
        return int(text.split()[0]) if text.split() and text.split()[0].isdigit() else 0
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return 0


class SandboxGroup:
    """The group of one sandbox, in each hierarchy this machine offers; empty (bounding nothing) where none."""

    def __init__(self, name: str, memory_bytes: int, processes: int):
        self.memory_bytes, self.processes = memory_bytes, processes
        self.directories: list[tuple[Hierarchy, Path]] = []
        for hierarchy in hierarchies():
            _remove_stale(hierarchy.parent)
            directory = hierarchy.parent / f"sandbox-{os.getpid()}-{name}"
            try:
                directory.mkdir()
            except FileExistsError:
                _kill_and_remove(directory, 1)
                directory.mkdir()
            except OSError:
                continue
            self.directories.append((hierarchy, directory))
            self._bound(hierarchy, directory)

    def _bound(self, hierarchy: Hierarchy, directory: Path) -> None:
        memory, processes = str(self.memory_bytes), str(self.processes + OWN_PROCESSES)
        if "memory" in hierarchy.controllers:
            if hierarchy.version == 2:
                for file, value in (("memory.max", memory), ("memory.swap.max", "0"), ("memory.oom.group", "1")):
                    _write(directory / file, value)
            else:
                _write(directory / "memory.limit_in_bytes", memory)
                _write(directory / "memory.memsw.limit_in_bytes", memory)  # no swap either, where it is counted
        if "pids" in hierarchy.controllers:
            _write(directory / "pids.max", processes)
        if "cpu" in hierarchy.controllers:
            _write(directory / ("cpu.weight" if hierarchy.version == 2 else "cpu.shares"),
                   str(CPU_WEIGHT if hierarchy.version == 2 else CPU_SHARES))

    def bounds(self, controller: str) -> bool:
        return any(controller in hierarchy.controllers for hierarchy, _ in self.directories)

    def procs_files(self) -> list[str]:
        """The files a process writes "0" to, to join this group (each hierarchy's ``cgroup.procs``)."""
        return [str(directory / "cgroup.procs") for _, directory in self.directories]

    def join(self) -> None:
        """Move the calling process into this group (in a child, before it runs anything), and make it the
        OOM killer's first choice."""
        enter(self.procs_files())

    def usage(self) -> dict:
        """CPU seconds and peak memory of every process the group ever held, and whether a limit was hit."""
        cpu, peak, oom_kills, process_limit_hits, memory_limit_hits = 0.0, 0, 0, 0, 0
        for hierarchy, directory in self.directories:
            if hierarchy.version == 2:
                cpu = max(cpu, _read_number(directory / "cpu.stat", "usage_usec") / 1e6)
                peak = max(peak, _read_number(directory / "memory.peak"))
                oom_kills += _read_number(directory / "memory.events", "oom_kill")
                memory_limit_hits += _read_number(directory / "memory.events", "max")
                process_limit_hits += _read_number(directory / "pids.events", "max")
            else:
                cpu = max(cpu, _read_number(directory / "cpuacct.usage") / 1e9)
                peak = max(peak, _read_number(directory / "memory.max_usage_in_bytes"))
                oom_kills += _read_number(directory / "memory.oom_control", "oom_kill")
                memory_limit_hits += _read_number(directory / "memory.failcnt")
                process_limit_hits += _read_number(directory / "pids.events", "max")
        return {"cpu_seconds": cpu, "peak_bytes": peak, "oom_kills": oom_kills,
                "memory_limit_hits": memory_limit_hits, "process_limit_hits": process_limit_hits}

    def kill(self) -> None:
        """Kill every process in the group (the group stays, for :meth:`usage`, until :meth:`remove`)."""
        for _, directory in self.directories:
            _kill(directory)

    def remove(self) -> None:
        """Kill every process left in the group, then remove it."""
        for _, directory in self.directories:
            _kill_and_remove(directory, REMOVE_SECONDS)


def enter(procs_files: list[str]) -> None:
    """Move the calling process into the groups whose ``cgroup.procs`` files are given, and set its
    ``oom_score_adj`` to the highest: what a sandboxed process must do before it runs anything."""
    for path in procs_files:
        with open(path, "wb", buffering=0) as procs:
            procs.write(b"0")
    with open("/proc/self/oom_score_adj", "wb", buffering=0) as adjust:
        adjust.write(OOM_SCORE_ADJ)


def enter_descriptors(descriptors: list[int]) -> None:
    """:func:`enter`, through ``cgroup.procs`` files opened earlier (by a process that has since left the
    host's view of /sys, as the warm fork does when it joins a sandbox)."""
    for descriptor in descriptors:
        os.write(descriptor, b"0")
    with open("/proc/self/oom_score_adj", "wb", buffering=0) as adjust:
        adjust.write(OOM_SCORE_ADJ)


def main(argv: list[str]) -> None:
    """``python -m grader.safety.cgroups PROCS_FILE... -- COMMAND...``: join the groups, then become COMMAND.
    Starts a sandboxed process in its group from a process with threads, where preexec_fn is unsafe."""
    end = argv.index("--")
    enter(argv[:end])
    os.execvp(argv[end + 1], argv[end + 1:])


if __name__ == "__main__":
    main(sys.argv[1:])
