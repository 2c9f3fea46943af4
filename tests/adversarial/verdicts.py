"""Adversarial lesson-02 cases against how a verdict is reached and recorded."""

from tests.adversarial.cases import Case


def cases() -> list[Case]:
    return []
