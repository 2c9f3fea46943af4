# The only nbgrader configuration of the course, loaded by `python -m grader`.
# Instructors who run plain `nbgrader` commands can point --config at this file.
#
# A note on names: nbgrader's "solution" cells and its ClearSolutions step are unrelated to our
# solutions/ folder, which is simply the source that nbgrader releases into lessons/.
c = get_config()  # noqa: F821 (provided by traitlets when this file is loaded)

c.CourseDirectory.course_id = "pytorch-basics"

# What a learner sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A graded notebook may train a small model: allow 3 minutes per cell while grading.
c.Execute.timeout = 180

# Feedback never shows hidden-test code: the hidden block is removed from the source, and tracebacks
# (which would quote a failing hidden line) are cut down to the assertion's message.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "grader.feedback.AssertionMessagesOnly",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# nbgrader gives a test cell 0 points when anything reaches stderr. Warnings (torch's UserWarnings,
# DeprecationWarnings) and progress bars are not failures: drop those stderr outputs before scoring.
# Failures are 'error' outputs, which this never touches.
c.IgnorePattern.enabled = True
# (A progress bar also leaves whitespace-only stderr messages, hence the last alternative.)
c.IgnorePattern.pattern = r"(?m)^.*\b\w*Warning: |^.*\d+%\|.*\||\A\s*\Z"
