# nbgrader settings shared by the learner's Validate button and the instructor's grader
# (grader/nbgrader_config.py loads this file first, then adds what only grading needs).
c = get_config()  # noqa: F821 (provided by traitlets when this file is loaded)

c.CourseDirectory.course_id = "pytorch-basics"

# What a learner sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The learner's Validate button: a cell may train a small model, so allow 3 minutes per cell. (Grading
# takes its own from the grader's limits, grader/settings.py; learners' bundles do not ship the grader.)
c.Execute.timeout = 180

# nbgrader gives a test cell 0 points when anything reaches stderr. Warnings (torch's UserWarnings,
# DeprecationWarnings) and progress bars are not failures: drop those stderr outputs before scoring.
# Failures are 'error' outputs, which this never touches.
c.IgnorePattern.enabled = True
# (A progress bar also leaves whitespace-only stderr messages, hence the last alternative.)
c.IgnorePattern.pattern = r"(?m)^.*\b\w*Warning: |^.*\d+%\|.*\||\A\s*\Z"
