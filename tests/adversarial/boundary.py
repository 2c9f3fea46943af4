"""Adversarial lesson-02 cases against what a kernel sends the grader: reports, outputs, answer cells."""

from tests.adversarial.cases import Case


def cases() -> list[Case]:
    return []
