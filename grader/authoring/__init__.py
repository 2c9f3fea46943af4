"""Authoring the course: solutions/ → lessons/ (release, refresh), the checks (sync, validate, leaks)
and the learners' bundle."""
