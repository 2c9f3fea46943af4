"""What crosses between the batch and its workers: a grading job, and its result.

Kept apart from the runner (grader.grading.runner, which executes student code) so that the trusted
writer (grader.grading.record) reads results without importing what runs them.
"""

from dataclasses import dataclass, field

from grader.safety.integrity import Finding, is_tampered
from grader.settings import Limits


@dataclass
class GradingJob:
    """One student's notebook for one lesson, with the lesson's source to grade it against."""

    lesson: str
    student: str
    source: bytes  # the solutions/ notebook (with hidden tests)
    submission: bytes
    limits: Limits = field(default_factory=Limits)
    sandboxed: bool = True  # False only when the instructor asked to grade without isolation
    seed: int | None = None  # the batch's observation seed (helpers.observations), the reference's too
    warm: bool = True  # fork the kernel from the worker's warm process (grader.safety.warm); False: start it cold


@dataclass
class GradingResult:
    """The autograded notebook, or why there is none; and where the time went."""

    lesson: str
    student: str
    autograded: bytes | None
    error: str | None
    timings: dict[str, float] = field(default_factory=dict)
    integrity: list[dict] = field(default_factory=list)  # grader.safety.integrity findings, as dicts
    observations: dict[str, dict[str, dict]] = field(default_factory=dict)  # grade_id -> name -> report
    rejected: dict[str, str] = field(default_factory=dict)  # grade_id -> why it failed the comparison
    cost: dict = field(default_factory=dict)  # the kernel's cpu_seconds, peak_memory_mib, wall_seconds, path

    @property
    def tampered(self) -> bool:
        return is_tampered([Finding(**finding) for finding in self.integrity])
