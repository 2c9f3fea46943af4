"""The trusted writer records one decision, committed once: a ``--force`` regrade killed at any line of
``record()`` leaves the old grade or the new one (never a mix, never a forged point with a "recorded"
marker), and the next run completes what was left unfinished."""

import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from grader.grading import layout
from grader.grading import record as record_module
from grader.grading.classroom import prepare_lessons
from grader.grading.jobs import GradingResult
from grader.grading.record import is_recorded, read_marker, record
from grader.nbgrader_adapter import open_gradebook
from grader.notebooks import graded_tests, nbgrader_meta, read
from grader.paths import LESSONS

LESSON, STUDENT = "02_tensors", "ada"
RECORD_FILE = record_module.__file__


def _autograded(failing: set[str]) -> bytes:
    """The released lesson as if autograded: every graded test passed in the kernel except ``failing``."""
    notebook = read(LESSONS / f"{LESSON}.ipynb")
    for cell in graded_tests(notebook):
        grade_id = nbgrader_meta(cell)["grade_id"]
        cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue=f"{grade_id} failed",
                                               traceback=[])] if grade_id in failing \
            else [nbformat.v4.new_output("stream", name="stdout", text="passed.\n")]
    return nbformat.writes(notebook).encode()


def _test_ids() -> list[str]:
    return [nbgrader_meta(cell)["grade_id"] for cell in graded_tests(read(LESSONS / f"{LESSON}.ipynb"))]


def _results() -> tuple[GradingResult, GradingResult]:
    """The old record (two tests failed honestly) and the forced regrade: every test passed in the kernel,
    two others rejected by the comparison with the reference (forged points), flagged as tampering."""
    first, second, third, fourth = _test_ids()[:4]
    old = GradingResult(LESSON, STUDENT, _autograded({first, second}), None)
    tampering = {"severity": "tampering", "kind": "results disagree", "where": third, "message": "forged"}
    new = GradingResult(LESSON, STUDENT, _autograded(set()), None, integrity=[tampering],
                        rejected={third: "differs", fourth: "differs"})
    return old, new


def _state(course: Path, db_url: str) -> tuple[dict[str, float], dict[str, bool], dict | None]:
    """(score of each test, whether each is flagged for review, the marker) as stored."""
    with open_gradebook(db_url) as gradebook:
        grades = gradebook.find_submission_notebook(LESSON, LESSON, STUDENT).grades
        scores = {grade.name: grade.score for grade in grades}
        review = {grade.name: grade.needs_manual_grade for grade in grades}
    return scores, review, read_marker(course, LESSON, STUDENT)


def _killed_at(line_event: int, course: Path, db_url: str, result: GradingResult, digest: str) -> int:
    """Run ``record`` in a forked child that exits at its ``line_event``-th executed line of record.py
    (counting every line of every function of that file); the child's exit status (9: killed there)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        seen = [0]

        def on_line(frame, event, arg):
            if event == "line":
                seen[0] += 1
                if seen[0] > line_event:
                    os._exit(9)
            return on_line

        def on_call(frame, event, arg):
            return on_line if frame.f_code.co_filename == RECORD_FILE else None

        try:
            sys.settrace(on_call)
            record(course, db_url, result, digest)
            sys.settrace(None)
        except BaseException:
            os._exit(3)
        os._exit(0)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _kill_points(course: Path, db_url: str, result: GradingResult, digest: str) -> list[int]:
    """The line events of one ``record`` at which to kill it: the first two runs of each line of record.py
    (so every line, and every loop after one turn and mid-way through its next), and the end."""
    lines = []

    def on_line(frame, event, arg):
        if event == "line":
            lines.append(frame.f_lineno)
        return on_line

    sys.settrace(lambda frame, event, arg: on_line if frame.f_code.co_filename == RECORD_FILE else None)
    try:
        record(course, db_url, result, digest)
    finally:
        sys.settrace(None)
    return [event for event, line in enumerate(lines) if lines[:event].count(line) < 2] + [len(lines)]


@pytest.fixture(scope="module")
def old_course(tmp_path_factory):
    """A course whose gradebook and marker hold the old record."""
    course = tmp_path_factory.mktemp("record") / "course"
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    prepare_lessons(course, db_url, [LESSON])
    old, new = _results()
    record(course, db_url, old, "old-digest")
    old_state = _state(course, db_url)
    scratch = tmp_path_factory.mktemp("count") / "course"
    shutil.copytree(course, scratch)
    kill_points = _kill_points(scratch, f"sqlite:///{scratch / 'gradebook.db'}", new, "new-digest")
    new_state = _state(scratch, f"sqlite:///{scratch / 'gradebook.db'}")
    return course, old_state, new_state, kill_points


def test_a_regrade_stores_the_rejections_in_the_same_decision(old_course):
    _, (old_scores, _, old_marker), (new_scores, new_review, new_marker), _ = old_course
    first, second, third, fourth = _test_ids()[:4]
    assert old_scores[first] == old_scores[second] == 0 and old_scores[third] > 0 and old_scores[fourth] > 0
    assert new_scores[first] > 0 and new_scores[second] > 0, "the regrade's own passes are stored"
    assert new_scores[third] == new_scores[fourth] == 0, "the rejected tests keep no forged point"
    assert all(new_review.values()), "a tampered submission is flagged for review"
    assert old_marker["submission_sha256"] == "old-digest" and new_marker["submission_sha256"] == "new-digest"


def test_a_regrade_killed_at_any_line_of_record_leaves_old_or_new_and_the_next_run_completes_it(old_course, tmp_path):
    course, (old_scores, old_review, _), (new_scores, new_review, _), kill_points = old_course
    _, new = _results()
    assert len(kill_points) > 20
    outcomes = set()
    for line_event in kill_points:  # the last one: not killed at all
        copy = tmp_path / f"kill-{line_event}"
        shutil.copytree(course, copy)
        db_url = f"sqlite:///{copy / 'gradebook.db'}"
        status = _killed_at(line_event, copy, db_url, new, "new-digest")
        assert status in (9, 0), f"record failed otherwise at line event {line_event}: exit status {status}"
        scores, review, marker = _state(copy, db_url)
        where = f"killed at line event {line_event} of {kill_points[-1]}"
        assert scores in (old_scores, new_scores), f"{where}: a mix of old and new scores {scores}"
        if marker is not None and marker["submission_sha256"] == "new-digest":
            assert (scores, review) == (new_scores, new_review), f"{where}: marked recorded, but incomplete"
        elif marker is not None:  # the old marker: only before record() removed it, so nothing new yet
            assert (scores, review) == (old_scores, old_review), f"{where}: the old marker on new scores"
        outcomes.add("new" if scores == new_scores else "old")
        outcomes.add("marked" if marker else "unmarked")
        # the next run: regrade what is not complete, skip what is
        if not is_recorded(copy, db_url, LESSON, STUDENT, "new-digest"):
            record(copy, db_url, new, "new-digest")
        assert _state(copy, db_url)[:2] == (new_scores, new_review), f"{where}: the next run did not complete it"
        assert is_recorded(copy, db_url, LESSON, STUDENT, "new-digest")
        assert layout.notebook(copy, "autograded", LESSON, STUDENT).read_bytes() == new.autograded
        shutil.rmtree(copy)
    assert outcomes == {"new", "old", "marked", "unmarked"}, "the kills landed before and after the commit"
