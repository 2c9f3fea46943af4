"""The learner's JupyterLab in a real browser (Debian's Chromium, driven by Playwright), on fresh copies of 01 and 02.

Run All runs every code cell of an untouched lesson; a knowledge check shows two different verdicts; a hint
unfolds; Exercise 2.1 passes with a right answer and fails in one line, with no helpers/ frame, with a
typical wrong one; after save, kernel shutdown and reopening, no widget errors and no console errors; the
menus show nothing of nbgrader's instructor side. Screenshots go to test-results/browser/ for people to see.
"""

import importlib
import shutil
import time

import pytest

from grader.notebooks import read, solution_answers
from grader.paths import LESSONS, REPO, SOLUTIONS
from helpers.quiz import all_questions, is_correct
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, running_lab

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.notebooks]
SCREENSHOTS = REPO / "test-results" / "browser"
LESSONS_TRIED = ("01_quickstart", "02_tensors")
RUN_ALL_MINUTES = 6
OPEN_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the tab in front, not the others
OPEN_NOTEBOOK = f"{OPEN_PANEL} .jp-Notebook"
COLOUR = "element => getComputedStyle(element).color"


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    root, state = tmp_path_factory.mktemp("my-work"), tmp_path_factory.mktemp("jupyter-state")
    for stem in LESSONS_TRIED:
        shutil.copy(LESSONS / f"{stem}.ipynb", root)
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    with running_lab(root, state) as lab, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        yield lab, page, problems
        browser.close()


def open_notebook(lab, page, stem: str) -> None:
    """Open a lesson and wait until its kernel is started, connected and idle (as a learner would, before Run All)."""
    page.goto(f"{lab.url}/lab/tree/{stem}.ipynb?token={lab.token}")
    # Lab may restore other tabs beside this one: wait for the indicator of the panel in front
    page.locator(f"{OPEN_PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        state="visible", timeout=120_000)
    deadline = time.monotonic() + 120
    while not any(kernel["connections"] and kernel["execution_state"] == "idle" for kernel in lab.api("/api/kernels")):
        assert time.monotonic() < deadline, f"the kernel of {stem} did not start within 2 minutes"
        time.sleep(0.5)
    page.wait_for_timeout(2000)


def queued_or_running(page) -> int:
    """How many cells show the [*] prompt (waiting or running)."""
    return sum("*" in text for text in page.evaluate(
        "() => [...document.querySelectorAll('.jp-InputPrompt')].map(prompt => prompt.textContent)"))


def run_all(lab, page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()
    deadline = time.monotonic() + RUN_ALL_MINUTES * 60
    page.wait_for_function("() => [...document.querySelectorAll('.jp-InputPrompt')]"
                           ".some(prompt => prompt.textContent.includes('*'))", timeout=60_000)
    settled_since = None  # Run All is done when no cell waits and the kernel is idle, for 3 s in a row
    while settled_since is None or time.monotonic() - settled_since < 3:
        settled = not queued_or_running(page) and lab.kernels_idle()
        settled_since = (settled_since or time.monotonic()) if settled else None
        if time.monotonic() > deadline:
            page.screenshot(path=SCREENSHOTS / "run-all-unfinished.png")
            pytest.fail(f"Run All did not finish within {RUN_ALL_MINUTES} minutes: {queued_or_running(page)} cells "
                        f"wait, kernels: {lab.api('/api/kernels')}; see {SCREENSHOTS / 'run-all-unfinished.png'}")
        time.sleep(0.25)


def save(lab, page, stem: str):
    """Save with Ctrl+S, as a learner does; the notebook as written to disk."""
    path = lab.root / f"{stem}.ipynb"
    before = path.stat().st_mtime_ns
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while path.stat().st_mtime_ns == before:
        assert time.monotonic() < deadline, f"{stem} was not saved within 30 s of Ctrl+S"
        time.sleep(0.2)
    time.sleep(0.5)  # let the write finish
    return read(path)


def cell_with(page, stem: str, text: str):
    """The notebook's cell whose source contains ``text`` (found in the lesson, then by position on the page:
    cells out of view are not drawn, so their text cannot be searched)."""
    index = next(i for i, cell in enumerate(read(LESSONS / f"{stem}.ipynb").cells) if text in cell.source)
    cell = page.locator(f"{OPEN_NOTEBOOK} .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    return cell


@pytest.mark.parametrize("stem", LESSONS_TRIED)
def test_run_all_executes_every_code_cell_of_an_untouched_lesson(session, stem):
    lab, page, _ = session
    open_notebook(lab, page, stem)
    run_all(lab, page)
    saved = save(lab, page, stem)
    page.screenshot(path=SCREENSHOTS / f"{stem}-after-run-all.png")
    code = [cell for cell in saved.cells if cell.cell_type == "code"]
    skipped = [cell.source.splitlines()[0] for cell in code if cell.execution_count is None]
    ran = [cell for cell in code if cell.execution_count is not None]
    last = [f"{o.ename}: {o.evalue[:120]}" for o in ran[-1].outputs if o.output_type == "error"] if ran else []
    assert not skipped, (f"Run All left {len(skipped)} of {len(code)} code cells of {stem} unexecuted: {skipped[:3]}; "
                         f"the last cell that ran: {ran[-1].source.splitlines()[0] if ran else None!r} {last}")
    not_attempted = [output for cell in code for output in cell.outputs
                     if output.output_type == "error" and output.ename == "NotAttempted"]
    assert not_attempted, f"{stem}: no test said its exercise is not attempted yet"
    assert "is not attempted yet: write your code in the cell above" in not_attempted[0].evalue


def test_a_knowledge_check_shows_different_verdicts_for_wrong_and_right(session):
    lab, page, _ = session  # 02 is open and has run
    question_id = "stack_shape"
    data = all_questions()[question_id]
    right = next(letter for letter in data["options"] if is_correct(question_id, letter, data["digest"]))
    wrong = next(letter for letter in data["options"] if letter != right)
    widget = cell_with(page, "02_tensors", f"knowledge_check(\n    '{question_id}'").locator(".jp-OutputArea")
    from playwright.sync_api import expect

    verdict = widget.locator(".widget-html").last
    widget.get_by_text(f"{wrong}) ", exact=False).first.click()
    expect(verdict).to_contain_text("\u2718 Not quite.")
    wrong_verdict, wrong_colour = verdict.inner_text(), verdict.locator("span").first.evaluate(COLOUR)
    widget.get_by_text(f"{right}) ", exact=False).first.click()
    expect(verdict).to_contain_text("\u2714 Correct.")
    right_verdict, right_colour = verdict.inner_text(), verdict.locator("span").first.evaluate(COLOUR)
    page.screenshot(path=SCREENSHOTS / "02_tensors-knowledge-check.png")
    assert wrong_verdict != right_verdict and wrong_colour != right_colour


def test_a_hint_unfolds(session):
    lab, page, _ = session
    hint = page.locator(f"{OPEN_NOTEBOOK} .jp-MarkdownOutput details").first
    hint.scroll_into_view_if_needed()
    hint.locator("summary").click()
    assert hint.get_attribute("open") is not None


def _answer_and_test(page, code: str) -> str:
    """Type ``code`` into Exercise 2.1's answer cell, run it and its test; the test's output text."""
    answer = cell_with(page, "02_tensors", "def describe(t: torch.Tensor)")
    answer.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    test = cell_with(page, "02_tensors", 'passed("Exercise 2.1")')
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = test.locator(".jp-OutputArea").inner_text()
        if "Exercise 2.1 passed." in text or "\u2718" in text and "not attempted" not in text:
            return text
        time.sleep(0.5)
    return test.locator(".jp-OutputArea").inner_text()


def test_exercise_2_1_fails_in_one_line_then_passes(session):
    lab, page, _ = session
    wrong = next(w for w in importlib.import_module("tests.wrong_answers.l02_tensors").WRONG_ANSWERS
                 if w.cell == "describe" and "not its name" in w.message)
    failing = _answer_and_test(page, wrong.code.strip())
    page.screenshot(path=SCREENSHOTS / "02_tensors-exercise-2.1-wrong.png")
    assert failing.startswith("\u2718 ") and wrong.message in failing
    assert "helpers/" not in failing and "Traceback" not in failing and len(failing.strip().splitlines()) <= 3
    right = solution_answers(read(SOLUTIONS / "02_tensors.ipynb"))["describe"]
    passing = _answer_and_test(page, right)
    page.screenshot(path=SCREENSHOTS / "02_tensors-exercise-2.1-right.png")
    assert "Exercise 2.1 passed." in passing


def test_a_reopened_lesson_has_no_widget_or_console_errors(session):
    lab, page, problems = session
    save(lab, page, "02_tensors")
    running = len(lab.api("/api/kernels"))
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").click()
    page.get_by_text("Shut Down Kernel", exact=True).click()
    deadline = time.monotonic() + 60
    while len(lab.api("/api/kernels")) >= running:
        assert time.monotonic() < deadline, "the kernel did not shut down"
        time.sleep(0.5)
    page.locator(".lm-MenuBar-itemLabel", has_text="File").click()
    page.get_by_text("Close Tab", exact=True).click()
    problems.clear()
    open_notebook(lab, page, "02_tensors")
    page.wait_for_timeout(3000)
    page.screenshot(path=SCREENSHOTS / "02_tensors-reopened.png")
    assert page.get_by_text("Error displaying widget").count() == 0
    assert not problems, f"console errors after reopening: {problems[:5]}"


def test_the_menus_offer_validate_and_no_instructor_views(session):
    lab, page, _ = session
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Nbgrader" not in menus, menus
    assert page.locator(".jp-Toolbar", has_text="Validate").count() >= 1
    for instructor_view in ("Formgrader", "Create Assignment", "Course List", "Assignment List"):
        page.keyboard.press("Control+Shift+c")  # the command palette lists every command
        page.keyboard.insert_text(instructor_view)
        assert page.locator(".lm-CommandPalette-item", has_text=instructor_view).count() == 0, instructor_view
        page.keyboard.press("Escape")
    log = lab.log.read_text()
    assert "nbgrader_config.py" not in log and " E " not in log and "[E " not in log, log[-2000:]
