"""The instructor's side of the course, run as ``python -m grader <command>``.

- ``release``: regenerate ``lessons/`` from ``solutions/`` through nbgrader's generate_assignment.
- ``check``: lessons in sync with solutions; every graded test passes on solutions and fails on
  the untouched lessons; how many cells nbval compares.

``solutions/`` is the single hand-edited source; ``lessons/`` is generated from it.
"""
