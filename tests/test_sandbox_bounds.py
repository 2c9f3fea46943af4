"""The sandbox bounded as a whole, judged by what one sandbox did: its control group (memory with its /tmp,
processes, CPU of all its processes), no capability, the seccomp filter, its runtime folder inside its disk
quota, a user id of its own, and a launcher that always records how its kernel ended."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

import nbformat
import pytest

from grader.grading import scratch
from grader.grading.jobs import GradingJob
from grader.grading.runner import run_job, stop_warm_processes
from grader.grading.scratch import remove_worker_folder, worker_folder
from grader.notebooks import read, solution_answers, substitute
from grader.paths import LESSONS, SOLUTIONS
from grader.safety import cgroups, launcher, uids
from grader.safety.confine import ConfinementFailed, join_sandbox
from grader.safety.launcher import sandbox_memory_bytes
from grader.safety.sandbox import PROBE_SOURCE, KernelSettings
from grader.safety.warm import stop_orphaned_warm_processes
from grader.settings import MIB, Limits
from tests.adversarial.sandbox_bounds import ESCAPE_ATTEMPTS, FORK_THEN_ALLOCATE, RUNTIME_FILLER
from tests.support.execution import shown_text

LESSON = "02_tensors"
LIMITS = Limits(cell_seconds=40, notebook_seconds=150, cpu_seconds=150, memory_bytes=4 * 2**30, disk_bytes=256 * MIB)
SANDBOX_VIEW = ESCAPE_ATTEMPTS + '''import os
for _pid in sorted(p for p in os.listdir("/proc") if p.isdigit()):
    _status = dict(l.split(":\\t", 1) for l in open(f"/proc/{_pid}/status").read().splitlines() if ":\\t" in l)
    print("process", _pid, "CapEff", _status["CapEff"].strip(), "Seccomp", _status["Seccomp"].strip(),
          "oom_score_adj", open(f"/proc/{_pid}/oom_score_adj").read().strip())
print("kernel uid", os.getuid())
'''
SPINNING_CHILDREN = '''import os, time
_children = []
for _ in range(2):
    _pid = os.fork()
    if _pid == 0:
        while time.process_time() < 1.5:
            pass
        os._exit(0)
    _children.append(_pid)
for _pid in _children:
    os.waitpid(_pid, os.WNOHANG)   # never reaped by waiting: their CPU time is not the kernel's own
time.sleep(0.1)
while any(os.path.exists(f"/proc/{_pid}") and open(f"/proc/{_pid}/stat").read().split()[2] != "Z"
          for _pid in _children):
    time.sleep(0.2)
print("children spun 1.5 CPU seconds each")
'''


def _submission(code: str) -> bytes:
    """Lesson 02 with its correct answers, ``code`` run first in the describe cell."""
    answers = solution_answers(read(SOLUTIONS / f"{LESSON}.ipynb"))
    answers["describe"] = code + "\n" + answers["describe"]
    return nbformat.writes(substitute(read(LESSONS / f"{LESSON}.ipynb"), answers)).encode()


def _grade(code: str, warm: bool = True):
    source = (SOLUTIONS / f"{LESSON}.ipynb").read_bytes()
    return run_job(GradingJob(LESSON, "someone", source, _submission(code), LIMITS, warm=warm))


def _said(result) -> str:
    return shown_text(nbformat.reads(result.autograded.decode(), as_version=4)) if result.autograded else ""


def _bounds_memory() -> bool:
    return any("memory" in hierarchy.controllers for hierarchy in cgroups.hierarchies())


@pytest.fixture
def one_worker():
    yield
    stop_warm_processes()
    remove_worker_folder()


sandboxed = pytest.mark.sandbox


@sandboxed
@pytest.mark.slow
@pytest.mark.parametrize("warm", [True, False], ids=["warm", "cold"])
def test_no_process_in_the_sandbox_holds_a_capability_or_may_unshare_or_mount(one_worker, warm):
    result = _grade(SANDBOX_VIEW, warm)
    said = _said(result)
    assert result.error is None and result.cost["path"] == ("warm" if warm else "cold"), (result.error, result.cost)
    assert "escape attempts: unshare refused / mount refused" in said, said
    processes = [line for line in said.splitlines() if line.startswith("process ")]
    assert len(processes) >= 2, said  # the sandbox's own first process and the kernel at least
    for line in processes:
        assert "CapEff 0000000000000000" in line and "Seccomp 2" in line and "oom_score_adj 1000" in line, line
    uid = int(said.split("kernel uid ")[1].split()[0])
    assert uids.is_sandbox_uid(uid), uid


@sandboxed
@pytest.mark.slow
def test_fork_then_allocate_past_the_sandbox_memory_stops_that_notebook_only(one_worker):
    if not _bounds_memory():
        pytest.skip("no cgroup memory controller on this machine: memory is bounded per process only")
    bound = sandbox_memory_bytes(LIMITS, sandboxed=True)
    greedy = _grade(FORK_THEN_ALLOCATE)
    assert f"used more than {bound / 2**30:g} GiB of memory" in (greedy.error or ""), greedy.error
    assert LIMITS.memory_bytes / MIB < greedy.cost["peak_memory_mib"] <= bound / MIB, greedy.cost
    after = _grade("")  # the next notebook on the same worker, from the same warm process
    assert after.error is None, after.error
    assert after.cost["peak_memory_mib"] < LIMITS.memory_bytes / MIB, after.cost


@sandboxed
@pytest.mark.slow
def test_a_runtime_folder_filler_is_stopped_by_the_quota_and_puts_nothing_on_the_hosts_disk(one_worker):
    largest, running = [0], [True]

    def watch_runtime_folders():  # what lands in this worker's jobs' runtime folders on the host
        while running[0]:
            for path in worker_folder().glob("job-*/runtime/*"):
                try:
                    if not path.is_symlink():
                        largest[0] = max(largest[0], path.lstat().st_size)
                except OSError:
                    pass
            time.sleep(0.05)

    watcher = threading.Thread(target=watch_runtime_folders, daemon=True)
    watcher.start()
    try:
        result = _grade(RUNTIME_FILLER)
    finally:
        running[0] = False
        watcher.join()
    assert "filled its 256 MiB of disk" in (result.error or ""), result.error
    assert largest[0] < 64 * 1024, f"a file of {largest[0]} bytes landed in the runtime folder on the host"


@sandboxed
@pytest.mark.slow
def test_the_kernels_cpu_seconds_include_its_children(one_worker):
    if not any(h.version == 2 or "cpuacct" in h.controllers for h in cgroups.hierarchies()):
        pytest.skip("no cgroup counts CPU here: a warm kernel's unreaped children are not counted")
    result = _grade(SPINNING_CHILDREN)
    assert "children spun 1.5 CPU seconds each" in _said(result), (result.error, _said(result))
    assert result.cost["cpu_seconds"] >= 3, result.cost


@sandboxed
def test_a_sandbox_group_bounds_its_processes_and_is_removed_with_them():
    if not cgroups.hierarchies():
        pytest.skip("no cgroup here")
    group = cgroups.SandboxGroup("test-removal", 256 * MIB, processes=4)
    child = subprocess.Popen(["sleep", "600"], preexec_fn=group.join)
    try:
        assert Path(f"/proc/{child.pid}/oom_score_adj").read_text().strip() == "1000"
        assert all(str(child.pid) in Path(path).read_text().split() for path in group.procs_files())
        if group.bounds("pids"):
            limited = [directory for hierarchy, directory in group.directories if "pids" in hierarchy.controllers]
            assert (limited[0] / "pids.max").read_text().strip() == str(4 + cgroups.OWN_PROCESSES)
    finally:
        group.remove()
    assert child.wait(10) == -signal.SIGKILL
    assert not any(directory.exists() for _, directory in group.directories)


def test_sandbox_uids_never_collide_and_skip_ids_other_users_have(monkeypatch, tmp_path):
    monkeypatch.setattr(uids, "STATE_FOLDERS", (tmp_path / "locks",))
    first_two = (uids.FIRST_UID, uids.FIRST_UID + 1)
    monkeypatch.setattr(uids, "_claimed_elsewhere", lambda: (first_two,))  # as an /etc/subuid range would
    held = [uids.allocate() for _ in range(3)]
    taken = [user.uid for user in held]
    assert len(set(taken)) == 3 and not set(taken) & set(range(first_two[0], first_two[1] + 1)), taken
    held[0].release()
    again = uids.allocate()
    assert again.uid not in taken[1:], "a held id was given to a second sandbox"
    assert again.uid != taken[0], "an id came back at once: the counter should move on"
    for user in [*held[1:], again]:
        user.release()


def test_the_warm_fork_joins_no_sandbox_whose_first_process_has_ended():
    ended = subprocess.Popen(["true"])
    pidfd = os.pidfd_open(ended.pid)
    ended.wait()
    try:
        with pytest.raises(ConfinementFailed):
            join_sandbox(pidfd)
    finally:
        os.close(pidfd)


def test_a_cold_kernel_that_ended_before_it_was_killed_still_gets_its_status(tmp_path):
    """The launcher's race: killing a kernel that has just ended must not reap it behind os.wait4's back."""
    settings = KernelSettings(sandboxed=False, limits=Limits(), scratch=str(tmp_path), runtime=str(tmp_path),
                              readable=[], env={}, probe_dir=str(tmp_path), python="/bin/false",
                              status_file=str(tmp_path / "status.json"))
    group = cgroups.SandboxGroup("test-race", 256 * MIB, processes=4)
    with open(tmp_path / "kernel.log", "ab") as log:
        kernel = launcher.ColdKernel(settings, [], dict(os.environ), log, group, None, tmp_path / "connection.json")
        while os.path.exists(f"/proc/{kernel.process.pid}") and \
                open(f"/proc/{kernel.process.pid}/stat").read().split()[2] != "Z":
            time.sleep(0.01)
        kernel.kill()  # it has ended (a zombie): subprocess's kill() would reap it here
        status = kernel.wait(5)
        kernel.close()
    group.remove()
    assert status is not None and status["returncode"] == 1, status


@pytest.mark.parametrize("ending", [dict(returncode=-9, stopped=True), dict(returncode=1, stopped=True),
                                    dict(returncode=1, stopped=False), dict(returncode=-9, stopped=False)])
def test_a_fork_bomb_gets_one_reason_however_its_kernel_ended(ending):
    usage = {"oom_kills": 0, "process_limit_hits": 7}
    reason = launcher._describe_end(ending["returncode"], None, ending["stopped"], LIMITS, usage, True)
    assert reason.startswith(f"the notebook tried to run more than {LIMITS.processes} processes"), reason
    assert "os._exit" not in reason and "shut the kernel down" in reason


class _Group:
    def __init__(self, pids_bounded: bool, usage: dict):
        self.pids_bounded, self._usage = pids_bounded, usage

    def bounds(self, controller: str) -> bool:
        return controller == "pids" and self.pids_bounded

    def usage(self) -> dict:
        return self._usage


def test_a_group_at_its_task_bound_stops_the_kernel_with_the_fork_bomb_reason():
    quiet = {"oom_kills": 0, "process_limit_hits": 0}
    settings = types.SimpleNamespace(sandboxed=False, limits=LIMITS)
    deadline, grader = time.monotonic() + 60, os.getppid()
    assert launcher._limit_reached(None, settings, deadline, grader, _Group(True, quiet)) is None
    hit = _Group(True, {**quiet, "process_limit_hits": 1})
    assert launcher._limit_reached(None, settings, deadline, grader, hit) == "processes"
    reason = launcher._describe_end(-9, "processes", False, LIMITS, hit.usage(), True)
    assert reason.startswith(f"the notebook tried to run more than {LIMITS.processes} processes"), reason
    # the kernel's own RLIMIT_NPROC sits above the group's bound where there is one, so the group's is met first
    assert launcher.kernel_process_limit(LIMITS, _Group(True, quiet)) > LIMITS.processes + cgroups.OWN_PROCESSES
    assert launcher.kernel_process_limit(LIMITS, _Group(False, quiet)) == LIMITS.processes


def test_a_kernel_that_stopped_answering_at_its_groups_memory_bound_is_told_so():
    at_bound = {"oom_kills": 0, "memory_limit_hits": 3, "process_limit_hits": 0}
    reason = launcher._describe_end(-9, None, True, LIMITS, at_bound, True)
    assert reason.startswith("the notebook used more than") and "of memory" in reason, reason
    # a kernel that ended by itself is not blamed on memory for having touched its bound once
    blamed_on_memory = "the notebook used more than"
    assert not launcher._describe_end(1, None, False, LIMITS, at_bound, True).startswith(blamed_on_memory)
    untouched = {**at_bound, "memory_limit_hits": 0}
    assert not launcher._describe_end(-9, None, True, LIMITS, untouched, True).startswith(blamed_on_memory)


def test_warm_processes_of_a_killed_run_are_stopped_when_the_next_run_starts(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()  # a worker that was killed: its pid is gone
    folder = tmp_path / f"grader-worker-{dead.pid}-abc" / "warm-sandboxed"
    (folder / "probe").mkdir(parents=True)
    shutil.copyfile(PROBE_SOURCE, folder / "probe" / "grader_probe.py")  # a warm process that would serve
    orphan = subprocess.Popen([sys.executable, "-m", "grader.safety.warm", str(folder / "warm.sock"),
                               str(folder / "probe")], start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        stop_orphaned_warm_processes()
        assert orphan.wait(10) == -signal.SIGKILL
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()


def test_a_killed_runs_dask_and_worker_folders_are_removed_when_the_next_run_starts():
    dead = subprocess.Popen(["true"])
    dead.wait()
    temp = Path(tempfile.gettempdir())
    left = [temp / f"{prefix}{dead.pid}-left" for prefix in (scratch.DASK_PREFIX, scratch.PREFIX)]
    for folder in left:
        (folder / "inside").mkdir(parents=True)
    mine = Path(tempfile.mkdtemp(prefix=f"{scratch.DASK_PREFIX}{os.getpid()}-"))
    try:
        scratch.remove_orphans()
        assert not any(folder.exists() for folder in left), left
        assert mine.exists(), "a running process's folder was removed"
    finally:
        mine.rmdir()


@pytest.mark.parametrize("found, expected", [
    ((cgroups.Hierarchy(2, Path("/x"), frozenset({"memory", "pids", "cpu"})),),
     "cgroup v2 per sandbox (7 GiB of memory with its /tmp, 36 tasks, a lower CPU weight)"),
    ((cgroups.Hierarchy(2, Path("/u"), frozenset()), cgroups.Hierarchy(1, Path("/m"), frozenset({"memory"})),
      cgroups.Hierarchy(1, Path("/p"), frozenset({"pids"}))),
     "cgroup v1 per sandbox (7 GiB of memory with its /tmp, 36 tasks)"),
    ((cgroups.Hierarchy(2, Path("/u"), frozenset()),), "no cgroup (memory and processes bounded per process only)"),
])
def test_the_limits_line_says_which_bounds_hold_on_this_machine(monkeypatch, found, expected):
    from grader.safety import sandbox, syscalls

    monkeypatch.setattr(cgroups, "hierarchies", lambda: found)
    assert sandbox.enforced_bounds(True).startswith(expected), sandbox.enforced_bounds(True)
    monkeypatch.setattr(syscalls, "program", lambda: None)
    assert sandbox.enforced_bounds(True).endswith("no seccomp filter (libseccomp missing), nested user namespaces "
                                                  "NOT blocked")
