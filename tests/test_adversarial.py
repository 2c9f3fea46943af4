"""Grading that students cannot break: a batch of adversarial lesson-02 submissions (tests/adversarial),
graded together in the sandbox, each to its expected score, message and integrity flags, while the rest
of the batch, the gradebook, the grader's files and the machine stay intact."""

import hashlib
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from grader.grading import layout
from grader.grading.batch import autograde_class
from grader.grading.classroom import prepare_lessons
from grader.grading.export import export
from grader.grading.feedback import needs_review
from grader.grading.record import read_marker
from grader.nbgrader_adapter import open_gradebook
from grader.notebooks import read, solution_answers
from grader.paths import LESSONS, SOLUTIONS
from grader.safety.cgroups import hierarchies
from grader.safety.launcher import sandbox_memory_bytes
from grader.safety.sandbox import SandboxUnavailable
from grader.safety.uids import is_sandbox_uid
from grader.settings import Limits
from tests.adversarial.cases import LESSON, Context, cases
from tests.support.execution import shown_text

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]
LIMITS = Limits(cell_seconds=15, notebook_seconds=60, cpu_seconds=60, memory_bytes=4 * 2**30,
                disk_bytes=512 * 2**20)  # the loops end sooner
CASES = {case.name: case for case in cases()}


class Watch(threading.Thread):
    """Samples how late a 0.2 s sleep wakes up while the batch runs, and the user ids of this batch's
    sandboxed processes (descendants of this test process with a sandbox user id), so that processes of
    other gradings on the same machine are not taken for this batch's leftovers."""

    def __init__(self):
        super().__init__(daemon=True)
        self.worst_delay, self.running = 0.0, True
        self.sandbox_uids: set[int] = set()

    def run(self):
        while self.running:
            started = time.monotonic()
            time.sleep(0.2)
            self.worst_delay = max(self.worst_delay, time.monotonic() - started - 0.2)
            for child in psutil.Process().children(recursive=True):
                try:
                    uid = child.uids().real
                except psutil.Error:
                    continue
                if is_sandbox_uid(uid):
                    self.sandbox_uids.add(uid)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("adversarial") / "course"
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    prepare_lessons(course, db_url, [LESSON])
    secrets = {"solution": SOLUTIONS / f"{LESSON}.ipynb",
               "hidden tests": layout.notebook(course, "source", LESSON),
               "gradebook": course / "gradebook.db",
               "another student": layout.notebook(course, "submitted", LESSON, "correct")}
    context = Context(read(LESSONS / f"{LESSON}.ipynb"), solution_answers(read(SOLUTIONS / f"{LESSON}.ipynb")), secrets)
    for case in CASES.values():
        notebook = case.build(context)
        path = layout.notebook(course, "submitted", LESSON, case.name)
        path.parent.mkdir(parents=True)
        path.write_bytes(notebook if isinstance(notebook, bytes) else nbformat.writes(notebook).encode())
    before = {name: _digest(path) for name, path in secrets.items() if name != "gradebook"}
    watch = Watch()
    watch.start()
    started = time.monotonic()
    report = autograde_class(course, db_url, workers=2, show_progress=False, limits=LIMITS)
    seconds = time.monotonic() - started
    watch.running = False
    exports = export(course, db_url, course / "exports")
    print(f"\nadversarial batch: {len(CASES)} submissions in {seconds:.0f} s; worst wake-up delay "
          f"{watch.worst_delay:.2f} s")
    return {"course": course, "db_url": db_url, "report": report, "watch": watch, "secrets": secrets,
            "before": before, "exports": exports}


def _scores(db_url: str) -> dict[str, float]:
    with open_gradebook(db_url) as gradebook:
        return {student.id: sum(grade.score for grade in gradebook.find_submission_notebook(
            LESSON, LESSON, student.id).grades) for student in gradebook.students}


def _outputs_text(course: Path, student: str) -> str:
    path = layout.notebook(course, "autograded", LESSON, student)
    if not path.exists():
        return ""
    return shown_text(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("name", list(CASES))
def test_each_adversarial_submission_gets_its_expected_outcome(graded, name):
    case, course = CASES[name], graded["course"]
    marker = read_marker(course, LESSON, name)
    assert marker is not None, f"{name} was never recorded"
    found = marker["integrity"]
    evidence = (f"error: {marker['error']}\nintegrity: {found}\n"
                f"outputs: {_outputs_text(course, name)[-1500:]}")
    assert _scores(graded["db_url"])[name] == case.score, f"{name}: expected {case.score} points\n{evidence}"
    said = " ".join([marker["error"] or "", *(f["message"] for f in found), _outputs_text(course, name)])
    assert case.says in said, f"{name}: expected the report to say {case.says!r}\n{evidence}"
    assert case.flags <= {f["kind"] for f in found}, f"{name}: expected integrity flags {case.flags}\n{evidence}"
    assert marker["tampered"] == case.tampered, f"{name}: tampered should be {case.tampered}\n{evidence}"
    if not case.flags:
        unexpected = [f for f in found if f["severity"] != "suspicious"]
        assert not unexpected, f"{name}: unexpected integrity findings {unexpected}"


def test_honest_submissions_raise_no_integrity_finding(graded):
    for name in ("correct", "hard_coded", "stderr_warnings", "duplicate_cell_ids"):
        assert read_marker(graded["course"], LESSON, name)["integrity"] == [], name


def test_the_whole_batch_is_recorded_and_the_gradebook_is_intact(graded):
    report = graded["report"]
    assert sorted(s for s, _ in report.graded + [(s, lesson) for s, lesson, _ in report.failed]) == sorted(CASES)
    assert sorted(_scores(graded["db_url"])) == sorted(CASES)
    assert sorted(s for s, _, _ in report.tampered) == sorted(n for n, c in CASES.items() if c.tampered)
    by_lesson = (graded["exports"][0]).read_text()
    assert by_lesson.count(LESSON) == len(CASES)
    integrity = graded["exports"][3].read_text()
    assert "patched_allclose,02_tensors,tampering" in integrity


def test_a_kernel_hung_by_patching_is_not_blamed_on_a_fork_bomb_nor_invited_to_resubmit(graded):
    marker = read_marker(graded["course"], LESSON, "hung_by_patching")
    assert "fork bomb" not in marker["error"]
    assert needs_review(marker), "its feedback page would invite a resubmission"
    assert not needs_review(read_marker(graded["course"], LESSON, "malformed_json"))


def test_a_rerun_still_counts_the_notebooks_that_could_not_be_graded(graded):
    ungradable = {name for name, case in CASES.items() if read_marker(graded["course"], LESSON, name)["error"]}
    assert {"malformed_json", "nbformat_invalid", "nbformat_3", "another_notebook"} <= ungradable
    again = autograde_class(graded["course"], graded["db_url"], workers=1, show_progress=False, limits=LIMITS)
    assert not again.graded and not again.failed, "nothing changed, so nothing is graded again"
    assert {student for student, _, _ in again.ungradable} == ungradable
    assert f"{len(ungradable)} could not be graded" in again.summary()
    assert "earlier run" in again.summary()


def test_no_submission_could_read_or_write_the_graders_files(graded):
    for name, path in graded["secrets"].items():
        if name != "gradebook":
            assert _digest(path) == graded["before"][name], f"{name} ({path}) was changed"
    for case in ("read_secrets", "write_secrets"):
        outputs = _outputs_text(graded["course"], case)
        assert outputs.count("blocked:") == len(graded["secrets"]), outputs
        assert "READ" not in outputs and "WROTE" not in outputs
    assert "NETWORK REACHED" not in _outputs_text(graded["course"], "network_attempt")
    assert "KILLED" not in _outputs_text(graded["course"], "kills_its_parent")
    first_process = _outputs_text(graded["course"], "sandbox_view")
    assert "PID 1:" in first_process and "bind" not in first_process, f"the sandbox's view is visible: {first_process}"


def test_the_grading_machine_stayed_responsive(graded):
    """Judged by what each sandbox did (its own group's peak memory, its processes), not by machine-wide figures
    that other work on the machine moves."""
    watch = graded["watch"]
    assert watch.worst_delay < 5, f"a 0.2 s sleep woke {watch.worst_delay:.1f} s late during grading"
    if any("memory" in hierarchy.controllers for hierarchy in hierarchies()):
        bound = sandbox_memory_bytes(LIMITS, sandboxed=True) / 2**20
        peaks = {name: read_marker(graded["course"], LESSON, name)["cost"].get("peak_memory_mib", 0) for name in CASES}
        assert max(peaks.values()) <= bound, f"a sandbox held more than its {bound:.0f} MiB: {peaks}"
        assert peaks["fork_then_allocate"] > LIMITS.memory_bytes / 2**20, (
            f"the fork-then-allocate case never held more than one process may: {peaks['fork_then_allocate']} MiB")
    assert watch.sandbox_uids, "the watch saw no sandboxed process of the batch"
    leftovers = [p.info for p in psutil.process_iter(["pid", "uids", "cmdline"])
                 if p.info["uids"] and p.info["uids"].real in watch.sandbox_uids]
    assert not leftovers, f"sandboxed processes outlived their notebooks: {leftovers}"


def test_grading_refuses_without_a_sandbox_unless_told(tmp_path, monkeypatch):
    import grader.safety.sandbox

    monkeypatch.setattr(grader.safety.sandbox.shutil, "which", lambda tool: None)
    with pytest.raises(SandboxUnavailable, match="--no-sandbox"):
        autograde_class(tmp_path, f"sqlite:///{tmp_path / 'gradebook.db'}", show_progress=False)
