"""Adversarial lesson-02 cases against values a kernel sends the grader's own processes (reports, outputs, answer cells)."""

from tests.adversarial.cases import Case


def cases() -> list[Case]:
    return []
