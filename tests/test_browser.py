"""The learner's JupyterLab in a real browser (Debian's Chromium, driven by Playwright), on fresh copies of 01 and 02.

Run All runs every code cell of an untouched lesson; a knowledge check shows two different verdicts; a hint
unfolds; Exercise 2.1 passes with a right answer and fails in one line, with no helpers/ frame, with a
typical wrong one. Then the learner's life: two saves, an autosave (every few seconds in this Lab's settings),
Validate, whose answer reads whole (summary first, wrapped, no "cell above"), a reopened tab, a kernel shut down,
an untrusted copy: each time the knowledge checks still answer with the right verdict, no widget state or
widget output is saved, and no widget error shows. A finished training cell leaves text, not a dead progress
widget. The menus show nothing of nbgrader's instructor side. Screenshots go to test-results/browser/.
"""

import importlib
import re
import shutil
import time

import nbformat
import pytest
from nbformat.sign import NotebookNotary

from grader.notebooks import read, solution_answers
from grader.paths import LESSONS, REPO, SOLUTIONS
from helpers.quiz import all_questions, is_correct
from helpers.validate_button import graded_test_count
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, running_lab

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.notebooks]
SCREENSHOTS = REPO / "test-results" / "browser"
LESSONS_TRIED = ("01_quickstart", "02_tensors")
RUN_ALL_MINUTES = 6
OPEN_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the tab in front, not the others
OPEN_NOTEBOOK = f"{OPEN_PANEL} .jp-Notebook"
COLOUR = "element => getComputedStyle(element).color"
AUTOSAVE_SECONDS = 5  # the learner's default is 120: the test sets it short in the Lab's settings
LAB_SETTINGS = {"@jupyterlab/docmanager-extension:plugin": {"autosave": True, "autosaveInterval": AUTOSAVE_SECONDS}}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
VALIDATE_MINUTES = 6


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    root, state = tmp_path_factory.mktemp("my-work"), tmp_path_factory.mktemp("jupyter-state")
    for stem in LESSONS_TRIED:
        shutil.copy(LESSONS / f"{stem}.ipynb", root)
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    with running_lab(root, state, LAB_SETTINGS) as lab, sync_playwright() as playwright:
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


def start_run_all(page) -> None:
    """Run > Run All Cells; clicked once more if no cell was queued within 30 s (a click lost on a busy machine:
    a queued cell shows [*] at once, before the kernel answers, so a second click cannot run cells twice)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(2):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function("() => [...document.querySelectorAll('.jp-InputPrompt')]"
                                   ".some(prompt => prompt.textContent.includes('*'))", timeout=30_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    page.screenshot(path=SCREENSHOTS / "run-all-not-started.png")
    pytest.fail(f"Run All queued no cell after two clicks; see {SCREENSHOTS / 'run-all-not-started.png'}")


def run_all(lab, page) -> None:
    start_run_all(page)
    deadline = time.monotonic() + RUN_ALL_MINUTES * 60
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
    before = (lab.root / f"{stem}.ipynb").stat().st_mtime_ns
    page.keyboard.press("Control+s")
    return wait_for_write(lab, stem, before, 30, "Ctrl+S")


def widget_traces(notebook) -> list[str]:
    """What a reopened notebook could only draw as a dead or missing widget: saved widget models, widget outputs."""
    state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    outputs = [cell.source.splitlines()[0] for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs if WIDGET_VIEW in output.get("data", {})]
    return [f"{len(state)} saved widget models"] * bool(state) + [f"a widget output in {line!r}" for line in outputs]


def wait_for_write(lab, stem: str, before: int, seconds: float, what: str):
    """The notebook as written to disk once its modification time moves past ``before``."""
    path = lab.root / f"{stem}.ipynb"
    deadline = time.monotonic() + seconds
    while path.stat().st_mtime_ns == before:
        assert time.monotonic() < deadline, f"{stem} was not written within {seconds:.0f} s of {what}"
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


def right_and_wrong(question_id: str) -> tuple[str, str]:
    """A question's right letter (from its digest, the course's own data) and one wrong letter."""
    data = all_questions()[question_id]
    right = next(letter for letter in data["options"] if is_correct(question_id, letter, data["digest"]))
    return right, next(letter for letter in data["options"] if letter != right)


def pick(page, stem: str, question_id: str, letter: str):
    """Click option ``letter`` of a knowledge check as a learner does (in lesson ``stem`` or a copy of it); the
    part it unfolds, holding the verdict."""
    output = cell_with(page, stem, f"knowledge_check(\n    '{question_id}'").locator(".jp-OutputArea")
    option = output.locator("details").filter(has=page.locator("summary", has_text=re.compile(rf"^\s*{letter}\) ")))
    option.locator("summary").click()
    folded = option.locator("summary ~ *").first
    folded.wait_for(state="visible", timeout=10_000)
    return folded


def assert_right_verdicts(page, stem: str, question_id: str) -> None:
    """A wrong option says "Not quite", the right one "Correct": the verdict belongs to the option clicked."""
    right, wrong = right_and_wrong(question_id)
    wrong_verdict = pick(page, stem, question_id, wrong).inner_text()
    right_verdict = pick(page, stem, question_id, right).inner_text()
    assert wrong_verdict.startswith("\u2718 Not quite."), f"{question_id} option {wrong}: {wrong_verdict!r}"
    assert right_verdict.startswith("\u2714 Correct."), f"{question_id} option {right}: {right_verdict!r}"


def test_a_knowledge_check_shows_different_verdicts_for_wrong_and_right(session):
    lab, page, _ = session  # 02 is open and has run
    right, wrong = right_and_wrong("stack_shape")
    wrong_verdict = pick(page, "02_tensors", "stack_shape", wrong)
    wrong_text, wrong_colour = wrong_verdict.inner_text(), wrong_verdict.locator("span").first.evaluate(COLOUR)
    right_verdict = pick(page, "02_tensors", "stack_shape", right)
    right_text, right_colour = right_verdict.inner_text(), right_verdict.locator("span").first.evaluate(COLOUR)
    page.screenshot(path=SCREENSHOTS / "02_tensors-knowledge-check.png")
    assert wrong_text.startswith("\u2718 Not quite.") and right_text.startswith("\u2714 Correct.")
    assert wrong_colour != right_colour


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


def assert_nothing_widget_saved(notebook, when: str) -> None:
    traces = widget_traces(notebook)
    assert not traces, f"after {when}, the saved notebook holds what a reopened one cannot draw: {traces}"
    quizzes = [cell for cell in notebook.cells if cell.cell_type == "code" and "knowledge_check(" in cell.source]
    html = ["".join(output.get("data", {}).get("text/html", "")) for cell in quizzes for output in cell.outputs]
    assert html and all("<details" in part for part in html), f"after {when}, knowledge checks saved as {html[:1]}"


def test_saves_and_an_autosave_keep_knowledge_checks_answering(session):
    lab, page, _ = session
    for when in ("a first save", "a second save"):
        assert_nothing_widget_saved(save(lab, page, "02_tensors"), when)
    assert_right_verdicts(page, "02_tensors", "broadcast_shape")
    page.screenshot(path=SCREENSHOTS / "02_tensors-1-after-two-saves.png")

    before = (lab.root / "02_tensors.ipynb").stat().st_mtime_ns
    answer = cell_with(page, "02_tensors", "def describe(t: torch.Tensor)")
    answer.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\n# kept by the autosave")
    autosaved = wait_for_write(lab, "02_tensors", before, AUTOSAVE_SECONDS * 6 + 30, "an edit, with no Ctrl+S")
    assert any("# kept by the autosave" in cell.source for cell in autosaved.cells), "the autosave missed the edit"
    assert_nothing_widget_saved(autosaved, "an autosave")
    assert_right_verdicts(page, "02_tensors", "numpy_share")
    page.screenshot(path=SCREENSHOTS / "02_tensors-2-after-autosave.png")


OVERFLOWING = """() => [...document.querySelectorAll('.jp-Dialog-content, .jp-Dialog-content *')]
    .filter(element => element.offsetParent !== null && element.scrollWidth > element.clientWidth + 1)
    .map(element => element.tagName + '.' + element.className)"""
WRAPPED_ITEMS = """() => [...document.querySelectorAll('#validation-message li')]
    .filter(item => item.getClientRects().length && item.getBoundingClientRect().height
                    >= 1.8 * parseFloat(getComputedStyle(item).lineHeight)).length"""


def test_validate_answers_summary_first_wrapped_and_worded_for_a_dialog(session):
    lab, page, _ = session  # 02: Exercise 2.1 answered right, 2.2 to 2.5 untouched
    before = (lab.root / "02_tensors.ipynb").stat().st_mtime_ns
    page.locator(f"{OPEN_PANEL} .validate-button").click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(state="visible", timeout=VALIDATE_MINUTES * 60_000)
    page.screenshot(path=SCREENSHOTS / "02_tensors-3-validate.png")
    text = dialog.locator("#validation-message").inner_text().strip()
    total = graded_test_count(lab.root / "02_tensors.ipynb")
    assert text.startswith(f"1 of {total} tests passed."), f"Validate's answer does not start with a summary: {text!r}"
    failing = re.findall(r"^(Exercise 2\.\d): (.*)$", text, re.MULTILINE)
    assert [name for name, _ in failing] == ["Exercise 2.2", "Exercise 2.3", "Exercise 2.4", "Exercise 2.5"], text
    assert all(message.startswith("not attempted yet: write your code in its answer cell") for _, message in failing)
    assert "The following cell failed" not in text and "cell above" not in text and "this cell" not in text.lower()
    assert text.endswith("the tests run again on fresh inputs."), text
    assert page.evaluate(OVERFLOWING) == [], "a line of Validate's answer runs past the dialog's edge"
    assert page.evaluate(WRAPPED_ITEMS) >= 1, "no line of the answer is long enough to show that lines wrap"
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    assert_nothing_widget_saved(wait_for_write(lab, "02_tensors", before, 30, "Validate (which saves first)"),
                                "Validate")


def close_tab(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="File").click()
    page.get_by_text("Close Tab", exact=True).click()


def test_a_reopened_tab_answers_with_the_right_verdicts(session):
    lab, page, problems = session
    close_tab(page)  # the kernel keeps running, as when a learner closes a tab and comes back
    problems.clear()
    open_notebook(lab, page, "02_tensors")
    for question_id in ("stack_shape", "broadcast_shape", "numpy_share"):
        assert_right_verdicts(page, "02_tensors", question_id)
    page.screenshot(path=SCREENSHOTS / "02_tensors-4-after-reopen.png")
    assert page.get_by_text("Error displaying widget").count() == 0
    assert not problems, f"console errors after reopening: {problems[:5]}"


def test_a_reopened_lesson_has_no_widget_or_console_errors(session):
    lab, page, problems = session
    assert_nothing_widget_saved(save(lab, page, "02_tensors"), "a save before shutting the kernel down")
    running = len(lab.api("/api/kernels"))
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").click()
    page.get_by_text("Shut Down Kernel", exact=True).click()
    deadline = time.monotonic() + 60
    while len(lab.api("/api/kernels")) >= running:
        assert time.monotonic() < deadline, "the kernel did not shut down"
        time.sleep(0.5)
    close_tab(page)
    problems.clear()
    open_notebook(lab, page, "02_tensors")
    page.wait_for_timeout(3000)
    assert_right_verdicts(page, "02_tensors", "stack_shape")  # a new kernel, nothing re-run
    page.screenshot(path=SCREENSHOTS / "02_tensors-5-after-kernel-restart.png")
    assert page.get_by_text("Error displaying widget").count() == 0
    assert not problems, f"console errors after reopening: {problems[:5]}"
    run_cell(cell_with(page, "02_tensors", "from helpers.quiz import"), page)  # the new kernel's imports
    run_cell(cell_with(page, "02_tensors", "knowledge_check(\n    'stack_shape'"), page)
    assert_right_verdicts(page, "02_tensors", "stack_shape")  # re-run: the question again, folded, answering


def run_cell(cell, page) -> None:
    """Run one cell with Ctrl+Enter and wait until its prompt shows a new execution count."""
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    cell.locator(".jp-InputArea").click()
    page.keyboard.press("Control+Enter")
    deadline = time.monotonic() + 120
    while prompt.inner_text() == before or "*" in prompt.inner_text():
        assert time.monotonic() < deadline, f"the cell did not run within 2 minutes: {prompt.inner_text()!r}"
        time.sleep(0.25)


def test_an_untrusted_copy_answers_with_the_right_verdicts(session):
    lab, page, problems = session
    copy = read(lab.root / "02_tensors.ipynb")
    copy.metadata["copied_by"] = "a classmate"  # any change breaks the signature: JupyterLab will not trust it
    nbformat.write(copy, lab.root / "02_tensors-copy.ipynb")
    notary = NotebookNotary(data_dir=str(lab.log.parent / "data"))  # the signatures this Lab keeps
    assert notary.check_signature(read(lab.root / "02_tensors.ipynb")), "Lab did not sign the notebook it saved"
    assert not notary.check_signature(copy), "the copy is trusted: this would not test an untrusted notebook"
    problems.clear()
    open_notebook(lab, page, "02_tensors-copy")
    assert page.locator(f"{OPEN_PANEL} .jp-Notebook-cell").count() > 0
    assert page.get_by_text(re.compile(r"VBox\(children=")).count() == 0, "a knowledge check shown as its raw repr"
    assert_right_verdicts(page, "02_tensors", "broadcast_shape")
    page.screenshot(path=SCREENSHOTS / "02_tensors-6-untrusted-copy.png")
    assert page.get_by_text("Error displaying widget").count() == 0
    close_tab(page)


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


PROGRESS_CELLS = ["import time\n\nfrom helpers.progress import progress",
                  'for batch in progress(range(80), "epoch 1"):\n    time.sleep(0.1)\nprint("Epoch 1: done")']


def test_a_finished_progress_bar_leaves_text_not_a_widget(session):
    """A training loop's bar, as 01 and 07 use it: drawn while it runs, then only the cell's own line, saved
    as text, still there after the kernel is shut down and the notebook reopened."""
    lab, page, problems = session
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in PROGRESS_CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(notebook, lab.root / "progress.ipynb")
    open_notebook(lab, page, "progress")
    start_run_all(page)
    bar = page.locator(f"{OPEN_NOTEBOOK} .jp-OutputArea-output", has_text=re.compile(r"epoch 1: +\d+%\|"))
    bar.wait_for(state="visible", timeout=60_000)
    page.screenshot(path=SCREENSHOTS / "progress-1-running.png")
    done = page.locator(f"{OPEN_NOTEBOOK} .jp-OutputArea-output", has_text="Epoch 1: done")
    done.wait_for(state="visible", timeout=120_000)
    shown = page.locator(f"{OPEN_NOTEBOOK} .jp-Cell").nth(1).locator(".jp-OutputArea").inner_text()
    assert shown.strip() == "Epoch 1: done", f"the finished cell shows {shown!r}"
    saved = save(lab, page, "progress")
    assert not widget_traces(saved), f"saved with {widget_traces(saved)}"
    outputs = saved.cells[1].outputs
    assert outputs and all(output.output_type == "stream" and output.name == "stdout" for output in outputs), outputs
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").click()
    page.get_by_text("Shut Down Kernel", exact=True).click()
    close_tab(page)
    problems.clear()
    open_notebook(lab, page, "progress")
    page.wait_for_timeout(2000)
    page.screenshot(path=SCREENSHOTS / "progress-2-reopened.png")
    assert page.locator(f"{OPEN_NOTEBOOK} .jp-OutputArea-output", has_text="Epoch 1: done").count() == 1
    assert page.get_by_text("Error displaying widget").count() == 0
    assert not problems, f"console errors after reopening: {problems[:5]}"
