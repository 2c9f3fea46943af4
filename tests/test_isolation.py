"""Kernels forked from a worker's warm process are as isolated as kernels started cold: a submission can
neither reach another one graded at the same time, nor leave anything for the next one on its worker."""

import time

import nbformat
import psutil
import pytest

from grader.grading import layout
from grader.grading.batch import autograde_class
from grader.grading.classroom import prepare_lessons
from grader.grading.jobs import GradingJob
from grader.grading.record import read_marker
from grader.grading.runner import _WARM, run_job, stop_warm_processes
from grader.grading.scratch import remove_worker_folder
from grader.notebooks import read, solution_answers, substitute
from grader.paths import LESSONS, SOLUTIONS
from grader.settings import Limits
from tests.support.execution import shown_text

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]
LESSON = "02_tensors"
LIMITS = Limits(cell_seconds=30, notebook_seconds=120, cpu_seconds=120, memory_bytes=4 * 2**30)

VICTIM = '''import ctypes, time
ctypes.CDLL(None).prctl(15, b"victim", 0, 0, 0)   # its name, for the attacker to look for
with open("/tmp/victim-secret", "w") as _stream:
    _stream.write("the victim's secret")
print(f"window {time.time()}")
time.sleep(20)
print(f"window {time.time()} undisturbed")
'''
ATTACKER = '''import ctypes, glob, os, signal, time
_libc, _reached, _mine = ctypes.CDLL(None, use_errno=True), [], os.getpid()
print(f"window {time.time()}")
_deadline = time.time() + 15
while time.time() < _deadline:
    for _entry in [e for e in os.listdir("/proc") if e.isdigit() and int(e) != _mine]:
        _pid = int(_entry)
        try:
            _name = open(f"/proc/{_pid}/comm").read()
        except OSError:
            continue
        if "victim" in _name:
            _reached.append(f"saw the victim as pid {_pid}")
        if _libc.ptrace(16, _pid, 0, 0) == 0:   # PTRACE_ATTACH
            _reached.append(f"ptrace-attached pid {_pid} ({_name.strip()})")
        try:
            os.kill(_pid, signal.SIGSTOP)
            _reached.append(f"stopped pid {_pid} ({_name.strip()})")
        except OSError:
            pass
    _reached += glob.glob("/tmp/**/victim-secret", recursive=True) + glob.glob("/proc/*/root/tmp/victim-secret")
    _reached += glob.glob("/tmp/grader-worker-*")
    time.sleep(0.5)
print(f"window {time.time()}")
print("REACHED:", sorted(set(_reached)) if _reached else "nothing: isolated")
'''
LEAVER = '''import os, subprocess, sys, threading, time, torch, helpers.checks
for _folder in (".", "/tmp", "/sandbox/home", "/dev/shm"):
    try:
        with open(f"{_folder}/leftover.txt", "w") as _stream:
            _stream.write("left behind")
        print("left a file in", _folder)
    except OSError as _error:
        print("could not write", _folder, _error)
torch.leftover = helpers.checks.leftover = "left behind"
sys.modules["leftover"] = torch
os.environ["LEFTOVER"] = "left behind"
def _linger():
    while True:
        time.sleep(0.1)
threading.Thread(target=_linger, name="linger", daemon=False).start()
subprocess.Popen(["sleep", "600"])
print("left behind: files, attributes, a module, a variable, a thread and a process")
'''
FINDER = '''import glob, os, sys, threading, torch, helpers.checks
_seen = [path for folder in (".", "/tmp", "/sandbox/home", "/dev/shm") for path in glob.glob(f"{folder}/leftover*")]
_seen += [name for name, value in (("torch.leftover", getattr(torch, "leftover", None)),
                                   ("helpers.checks.leftover", getattr(helpers.checks, "leftover", None)),
                                   ("sys.modules['leftover']", sys.modules.get("leftover")),
                                   ("$LEFTOVER", os.environ.get("LEFTOVER"))) if value is not None]
_seen += [thread.name for thread in threading.enumerate() if thread.name == "linger"]
_seen += [f"process {p}" for p in os.listdir("/proc")
          if p.isdigit() and open(f"/proc/{p}/cmdline", "rb").read() == b"sleep\\x00600\\x00"]
print("LEFTOVERS SEEN:", _seen) if _seen else print("nothing left behind")
'''


def _submission(code: str) -> bytes:
    """Lesson 02 with its correct answers, ``code`` run first in the describe cell."""
    answers = solution_answers(read(SOLUTIONS / f"{LESSON}.ipynb"))
    answers["describe"] = code + "\n" + answers["describe"]
    return nbformat.writes(substitute(read(LESSONS / f"{LESSON}.ipynb"), answers)).encode()


def _outputs(notebook: bytes | str) -> str:
    return shown_text(nbformat.reads(notebook if isinstance(notebook, str) else notebook.decode(), as_version=4))


def test_a_submission_cannot_find_signal_or_ptrace_one_graded_at_the_same_time(tmp_path):
    course = tmp_path / "course"
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    prepare_lessons(course, db_url, [LESSON])
    for student, code in (("attacker", ATTACKER), ("victim", VICTIM)):
        path = layout.notebook(course, "submitted", LESSON, student)
        path.parent.mkdir(parents=True)
        path.write_bytes(_submission(code))
    report = autograde_class(course, db_url, workers=2, show_progress=False, limits=LIMITS,
                             compare_with_reference=False)
    assert not report.failed, report.summary()
    texts = {student: _outputs(layout.notebook(course, "autograded", LESSON, student).read_text())
             for student in ("attacker", "victim")}
    windows = {student: [float(line.split()[1]) for line in text.splitlines() if line.startswith("window")]
               for student, text in texts.items()}
    assert max(windows["attacker"][0], windows["victim"][0]) < min(windows["attacker"][-1], windows["victim"][-1]), (
        f"the two submissions did not run at the same time, so nothing was tried: {windows}")
    assert "REACHED: nothing: isolated" in texts["attacker"], texts["attacker"]
    assert "undisturbed" in texts["victim"], texts["victim"]
    for student in ("attacker", "victim"):
        assert read_marker(course, LESSON, student)["cost"]["path"] == "warm"


@pytest.fixture
def one_worker():
    """This test process as one grading worker; its warm process and folder are removed afterwards."""
    yield
    stop_warm_processes()
    remove_worker_folder()


def test_nothing_a_submission_leaves_behind_reaches_the_next_on_the_same_worker(one_worker):
    source = (SOLUTIONS / f"{LESSON}.ipynb").read_bytes()
    left = run_job(GradingJob(LESSON, "leaver", source, _submission(LEAVER), LIMITS))
    warm_process = _WARM[True].process.pid
    time.sleep(1)
    found = run_job(GradingJob(LESSON, "finder", source, _submission(FINDER), LIMITS))
    assert left.error is None and found.error is None, (left.error, found.error)
    assert left.cost["path"] == found.cost["path"] == "warm" and _WARM[True].process.pid == warm_process, (
        "both kernels must come from the same warm process for this to test anything")
    said = _outputs(left.autograded)
    assert "left a file in ." in said and "left a file in /tmp" in said and "left behind:" in said, said
    assert "nothing left behind" in _outputs(found.autograded), _outputs(found.autograded)
    assert "LEFTOVERS SEEN" not in _outputs(found.autograded)
    lingering = [p.info for p in psutil.process_iter(["pid", "cmdline"]) if p.info["cmdline"] == ["sleep", "600"]]
    assert not lingering, f"the first submission's process outlived its kernel: {lingering}"


def test_a_warm_process_that_cannot_start_leaves_grading_to_cold_kernels(one_worker, monkeypatch, tmp_path):
    import grader.grading.runner as runner

    (tmp_path / "torch.py").write_text("raise ImportError('this machine cannot import torch here')\n")
    real = runner.kernel_environment
    monkeypatch.setattr(runner, "kernel_environment", lambda home: {**real(home), "PYTHONPATH": str(tmp_path)})
    source = (SOLUTIONS / f"{LESSON}.ipynb").read_bytes()
    answers = solution_answers(read(SOLUTIONS / f"{LESSON}.ipynb"))
    submission = nbformat.writes(substitute(read(LESSONS / f"{LESSON}.ipynb"), answers)).encode()
    result = run_job(GradingJob(LESSON, "someone", source, submission, LIMITS))
    assert result.error is None, result.error
    assert result.cost["path"] == "cold" and "warm process could not start" in result.cost["fallback"], result.cost
    assert "cannot import torch here" in (_WARM[True].folder / "warm.log").read_text()
