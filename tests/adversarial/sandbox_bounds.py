"""Adversarial lesson-02 cases against the sandbox's edges: memory, processes, disk, namespaces."""

from tests.adversarial.cases import Case


def cases() -> list[Case]:
    return []
