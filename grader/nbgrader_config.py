# The course's nbgrader configuration, loaded by `python -m grader`. Instructors who run plain
# `nbgrader` commands can point --config at this file.
#
# The settings learners share (code stub, timeouts, stderr filter) live in helpers/lab/nbgrader_config.py,
# which the learner's Validate button reads too; this file loads it, then adds what only grading needs.
#
# A note on names: nbgrader's "solution" cells and its ClearSolutions step are unrelated to our
# solutions/ folder, which is simply the source that nbgrader releases into lessons/.
from pathlib import Path

from grader.settings import DEFAULT_LIMITS

c = get_config()  # noqa: F821 (provided by traitlets when this file is loaded)
load_subconfig("nbgrader_config.py", path=str(Path(__file__).resolve().parents[1] / "helpers" / "lab"))  # noqa: F821

# Grading's time per cell comes from the grader's limits (grader/settings.py), like every other limit.
c.Execute.timeout = DEFAULT_LIMITS.cell_seconds

# Feedback never shows hidden-test code: the hidden block is removed from the source, and tracebacks
# (which would quote a failing hidden line) are cut down to the assertion's message.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "grader.grading.feedback.AssertionMessagesOnly",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
