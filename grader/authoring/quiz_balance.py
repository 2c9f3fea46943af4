"""Can the knowledge checks be answered without the lesson? The right letter's spread and the length tell.

Two habits let a learner guess without reading: picking the letter that is usually right, and picking the
longest (most careful-sounding) option. Over the course's checks, no letter may be right in more than 40 %
of them, and the right option may be the longest in at most a third. A right option that ties for the longest
counts as the longest: a learner who picks the longest may pick it.
"""

from collections import Counter
from dataclasses import dataclass

from helpers.quiz import all_questions, is_correct

MAX_LETTER_SHARE = 0.40
MAX_LONGEST_SHARE = 1 / 3


@dataclass(frozen=True)
class CheckShape:
    """What a guesser can see of one knowledge check: the right letter, and whether its option is the longest."""

    lesson: str
    question_id: str
    letters: tuple[str, ...]
    right: str
    right_is_longest: bool


def shape(question_id: str, data: dict) -> CheckShape:
    """The shape of one stored question (``{"lesson", "options", "digest", ...}``); ValueError unless one option
    is right."""
    options = data["options"]
    right = [letter for letter in options if is_correct(question_id, letter, data["digest"])]
    if len(right) != 1:
        raise ValueError(f"knowledge check {question_id!r}: expected one right option, the digest matches {right}")
    longest = max(len(text) for text in options.values())
    return CheckShape(data.get("lesson", ""), question_id, tuple(options), right[0], len(options[right[0]]) == longest)


@dataclass(frozen=True)
class Balance:
    """Letter spread and longest-option count of a group of checks (a lesson, or the course)."""

    checks: tuple[CheckShape, ...]

    @property
    def letters(self) -> Counter:
        """How often each letter is right; every letter any of these checks offers is present, if only with 0."""
        counts = Counter({letter: 0 for check in self.checks for letter in check.letters})
        counts.update(check.right for check in self.checks)
        return counts

    @property
    def longest(self) -> int:
        return sum(check.right_is_longest for check in self.checks)

    def describe(self) -> str:
        """e.g. ``right letter a 2, b 1, c 0, d 0; right option the longest in 1 of 3``."""
        spread = ", ".join(f"{letter} {count}" for letter, count in sorted(self.letters.items()))
        return f"right letter {spread}; right option the longest in {self.longest} of {len(self.checks)}"

    def problems(self) -> list[str]:
        """Why these checks can be guessed without reading, if they can (empty when balanced)."""
        total = len(self.checks)
        found = [f"knowledge checks: {letter!r} is the right letter in {count} of {total} ({count / total:.0%}), "
                 f"more than {MAX_LETTER_SHARE:.0%}: move some right options to other letters"
                 for letter, count in sorted(self.letters.items()) if total and count / total > MAX_LETTER_SHARE]
        if total and self.longest / total > MAX_LONGEST_SHARE:
            found.append(f"knowledge checks: the right option is the longest in {self.longest} of {total} "
                         f"({self.longest / total:.0%}), more than a third: shorten right options or give "
                         "distractors the same care")
        return found


def course_balance(questions: dict[str, dict] | None = None) -> tuple[dict[str, Balance], Balance]:
    """({lesson: its balance}, the course's balance) of every stored knowledge check."""
    questions = all_questions() if questions is None else questions
    shapes = [shape(question_id, data) for question_id, data in questions.items()]
    lessons = sorted({check.lesson for check in shapes})
    per_lesson = {lesson: Balance(tuple(c for c in shapes if c.lesson == lesson)) for lesson in lessons}
    return per_lesson, Balance(tuple(shapes))


def balance_report(stems: list[str], questions: dict[str, dict] | None = None) -> tuple[list[str], list[str]]:
    """(lines for ``grader check``: one per lesson in ``stems``, then the course; problems of the course's checks).
    The limits hold for the whole course, whichever lessons are checked: one lesson's three checks cannot be
    spread over four letters."""
    per_lesson, course = course_balance(questions)
    lines = [f"knowledge checks {stem}: {per_lesson[stem].describe()}" for stem in stems if stem in per_lesson]
    lines.append(f"knowledge checks, course: {course.describe()} (fails when one letter is right in over "
                 f"{MAX_LETTER_SHARE:.0%} or the longest option in over a third)")
    return lines, course.problems()
