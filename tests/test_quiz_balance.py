"""grader.authoring.quiz_balance: knowledge checks that cannot be answered by picking a letter or the longest option."""

import pytest

from grader.authoring.quiz_balance import Balance, balance_report, course_balance, shape
from grader.cli import main
from grader.grading.misconceptions import recorded_answer
from grader.notebooks import knowledge_check_role, read
from grader.paths import SOLUTIONS, written_lessons
from helpers.quiz import all_questions, answer_digest, is_correct


def _question(question_id: str, right: str, lengths: dict[str, int], lesson: str = "99_demo") -> dict:
    """A stored question whose options have the given lengths (in characters) and whose right letter is ``right``."""
    return {"lesson": lesson, "options": {letter: "x" * n for letter, n in lengths.items()},
            "explanations": {letter: "why" for letter in lengths}, "digest": answer_digest(question_id, right)}


def _course(rights: str, longest_right: int = 0) -> dict[str, dict]:
    """One question per letter of ``rights`` (its right letter); the first ``longest_right`` have the right option
    longest, the others have it shortest."""
    questions = {}
    for number, right in enumerate(rights):
        lengths = {letter: 20 for letter in "abcd"}
        lengths[right] = 30 if number < longest_right else 10
        questions[f"q{number}"] = _question(f"q{number}", right, lengths, lesson=f"0{number % 2 + 1}_demo")
    return questions


def test_shape_finds_the_right_letter_from_the_digest_and_counts_a_tie_for_longest_as_longest():
    tied = shape("q", _question("q", "c", {"a": 12, "b": 5, "c": 12}))
    assert (tied.right, tied.right_is_longest, tied.letters) == ("c", True, ("a", "b", "c"))
    assert not shape("q", _question("q", "b", {"a": 12, "b": 5, "c": 12})).right_is_longest


def test_a_question_without_exactly_one_right_option_is_named():
    broken = _question("q", "e", {"a": 3, "b": 4})  # the digest matches no option
    with pytest.raises(ValueError, match="'q': expected one right option, the digest matches \\[\\]"):
        shape("q", broken)


def test_describe_lists_every_offered_letter_even_when_never_right():
    balance = Balance((shape("q", _question("q", "a", {"a": 9, "b": 5, "c": 5, "d": 5})),))
    assert balance.describe() == "right letter a 1, b 0, c 0, d 0; right option the longest in 1 of 1"


def test_a_letter_right_in_more_than_40_percent_fails_and_exactly_40_passes():
    assert course_balance(_course("aabcd"))[1].problems() == []  # 2 of 5 = 40 %
    problems = course_balance(_course("aaabcd"))[1].problems()  # 3 of 6 = 50 %
    assert problems == ["knowledge checks: 'a' is the right letter in 3 of 6 (50%), more than 40%: "
                        "move some right options to other letters"]


def test_the_longest_option_right_in_more_than_a_third_fails_and_exactly_a_third_passes():
    assert course_balance(_course("abcdab", longest_right=2))[1].problems() == []  # 2 of 6
    problems = course_balance(_course("abcdab", longest_right=3))[1].problems()  # 3 of 6
    assert len(problems) == 1 and "the right option is the longest in 3 of 6 (50%), more than a third" in problems[0]


def test_the_old_course_shape_fails_on_both_counts():
    """Before the rewrite: 'b' right in 17 of 26 and never 'd', the right option the longest in 18."""
    rights = "b" * 17 + "a" * 5 + "c" * 4
    problems = course_balance(_course(rights, longest_right=18))[1].problems()
    assert [p.split(" is ")[0] for p in problems] == ["knowledge checks: 'b'", "knowledge checks: the right option"]


def test_report_has_a_line_per_asked_lesson_and_judges_the_whole_course():
    lines, problems = balance_report(["01_demo"], _course("aaab"))
    assert lines[0] == "knowledge checks 01_demo: right letter a 2, b 0, c 0, d 0; right option the longest in 0 of 2"
    assert lines[-1].startswith("knowledge checks, course: right letter a 3, b 1, c 0, d 0;") and len(lines) == 2
    assert problems and "'a' is the right letter in 3 of 4 (75%)" in problems[0]


def test_the_course_knowledge_checks_are_balanced():
    per_lesson, course = course_balance()
    assert course.problems() == [], course.describe()
    assert len(per_lesson) == 8 and set(course.letters) == set("abcd")


def test_grader_check_prints_the_balance_and_fails_on_an_unbalanced_course(monkeypatch, capsys):
    monkeypatch.setattr("grader.authoring.quiz_balance.all_questions", lambda: _course("aaab"))
    monkeypatch.setattr("grader.authoring.sync.stale_lessons", lambda stems: {})
    monkeypatch.setattr("grader.authoring.leaks.find_leaks", lambda *args: [])
    assert main(["check", "--sync-only", "02"]) == 1
    captured = capsys.readouterr()
    assert "knowledge checks, course: right letter a 3, b 1, c 0, d 0; right option the longest in 0 of 4" \
           in captured.out
    assert "problem: knowledge checks: 'a' is the right letter in 3 of 4 (75%)" in captured.err


def test_each_solution_records_the_right_letter_and_its_stored_check_output_names_it():
    """The reference answer is the right option, and the check cell's stored output (compared by nbval) agrees."""
    questions = all_questions()
    for stem in written_lessons():
        answers, printed = {}, {}
        for cell in read(SOLUTIONS / f"{stem}.ipynb").cells:
            question_id, role = knowledge_check_role(cell) or (None, None)
            if role == "answer":
                answers[question_id] = recorded_answer(cell, question_id)
            elif role == "check":
                printed[question_id] = "".join(output.get("text", "") for output in cell.get("outputs", []))
        assert answers, f"{stem}: no knowledge-check answer cells found"
        for question_id, letter in answers.items():
            data = questions[question_id]
            assert is_correct(question_id, letter, data["digest"]), \
                f"{stem}: the solution records {letter!r} for {question_id}, which is not its right option"
            named = [other for other in data["options"] if repr(other) in printed[question_id]]
            assert named == [letter], f"{stem}: {question_id}'s stored check output names {named}, expected {letter!r}"
