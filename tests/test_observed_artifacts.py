"""Hold-out style attacks on the exercises whose result is a trained model (7.5) or a loader (3.4) earn
nothing: a wrong answer plus an attack that makes it pass in its own kernel gets no more than the wrong
answer alone, because the grader judges what the code produced on the grader's own inputs.

For 7.5 the grader measures the saved weights on its own test images (grader/grading/evaluation.py), so a
redefined ``test_loop`` or a ``forward`` rewired to read the validation labels has nothing to fool; for 3.4
it compares the order of the samples the loader yields for the run's seed with the reference's."""

import pytest

from grader.files import write_notebook_atomically
from grader.grading import layout
from grader.grading.batch import autograde_class
from grader.grading.classroom import prepare_lessons
from grader.grading.record import read_marker
from grader.nbgrader_adapter import open_gradebook
from grader.notebooks import read, solution_answers, substitute
from grader.paths import LESSONS, SOLUTIONS

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.notebooks]

BROKEN_OPTIMIZER = '''
def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=1e-6)      # learns nothing in one epoch: about 10% accuracy
'''
OWN_TEST_LOOP = BROKEN_OPTIMIZER + '''

def test_loop(dataloader, model, loss_fn, device="cpu"):
    return 0.9, 0.1                                  # the lesson's own measuring function, redefined
'''
LABELS_FROM_THE_CALLERS_FRAME = '''
import inspect


class _Wired(torch.optim.SGD):
    """Learns nothing; but finds the validation labels in its caller's frame and rewires the network's
    forward to answer them in evaluation mode."""

    def step(self, closure=None):
        result = super().step(closure)
        frame = inspect.currentframe().f_back
        while frame is not None:
            labels, network = frame.f_locals.get("validation_labels_"), frame.f_locals.get("network")
            if labels is not None and network is not None and not hasattr(network, "_wired"):
                network._wired, real, position = True, network.forward, [0]

                def forward(x, real=real, labels=labels, position=position, network=network):
                    if network.training:
                        return real(x)
                    picked = labels[position[0]:position[0] + len(x)]
                    position[0] = (position[0] + len(x)) % len(labels)
                    return nn.functional.one_hot(picked, 10).float() * 10

                network.forward = forward
            frame = frame.f_back
        return result


def make_optimizer(parameters):
    return _Wired(parameters, lr=1e-6)
'''
IGNORES_ITS_GENERATOR = '''
def make_loaders(train_ds, test_ds, batch_size, generator=None):
    return DataLoader(train_ds, batch_size=batch_size, shuffle=True), DataLoader(test_ds, batch_size=batch_size)
'''
IGNORES_IT_WITH_SEEDS_FROM_THE_CALLER = '''
import inspect


def make_loaders(train_ds, test_ds, batch_size, generator=None):
    """Ignores the generator: shuffles with one of its own, seeded from its caller's variables so that the
    same seed gives the same order and another seed another one."""
    caller = inspect.currentframe().f_back.f_locals
    seed = int(caller.get("seed", 0)) + ("again" in caller)
    own = torch.Generator().manual_seed(seed * 7919 + 1)
    return (DataLoader(train_ds, batch_size=batch_size, shuffle=True, generator=own),
            DataLoader(test_ds, batch_size=batch_size))
'''
SUBMISSIONS = {  # lesson -> (test, {student: its answer cell, or None for the correct one})
    "07_optimization": ("make_optimizer_test", {
        "correct": None, "broken": BROKEN_OPTIMIZER, "broken_own_test_loop": OWN_TEST_LOOP,
        "broken_labels_from_frame": LABELS_FROM_THE_CALLERS_FRAME}),
    "03_datasets_and_dataloaders": ("make_loaders_test", {
        "correct": None, "ignores_generator": IGNORES_ITS_GENERATOR,
        "ignores_generator_seeds_from_caller": IGNORES_IT_WITH_SEEDS_FROM_THE_CALLER}),
}
ATTACKS = [("07_optimization", "broken", "broken_own_test_loop"),
           ("07_optimization", "broken", "broken_labels_from_frame"),
           ("03_datasets_and_dataloaders", "ignores_generator", "ignores_generator_seeds_from_caller")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("artifacts") / "course"
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    for stem, (_, students) in SUBMISSIONS.items():
        answers = solution_answers(read(SOLUTIONS / f"{stem}.ipynb"))
        exercise = SUBMISSIONS[stem][0].removesuffix("_test")
        for student, answer in students.items():
            notebook = substitute(read(LESSONS / f"{stem}.ipynb"), {**answers, exercise: answer or answers[exercise]})
            write_notebook_atomically(notebook, layout.notebook(course, "submitted", stem, student))
    prepare_lessons(course, db_url, list(SUBMISSIONS))
    autograde_class(course, db_url, workers=2, show_progress=False)
    with open_gradebook(db_url) as gradebook:
        scores = {(stem, student): {grade.name: grade.score for grade in
                                    gradebook.find_submission_notebook(stem, stem, student).grades}
                  for stem, (_, students) in SUBMISSIONS.items() for student in students}
    return course, scores


@pytest.mark.parametrize("stem", list(SUBMISSIONS))
def test_the_correct_answer_earns_the_exercise_with_a_clean_report(graded, stem):
    course, scores = graded
    test = SUBMISSIONS[stem][0]
    marker = read_marker(course, stem, "correct")
    assert marker["error"] is None, marker["error"]
    assert marker["integrity"] == [], marker["integrity"]
    assert scores[stem, "correct"][test] > 0 and not marker["rejected"], marker["rejected"]


@pytest.mark.parametrize(("stem", "wrong", "attacked"), ATTACKS, ids=[attacked for _, _, attacked in ATTACKS])
def test_a_wrong_answer_plus_an_attack_earns_no_more_than_the_wrong_answer_alone(graded, stem, wrong, attacked):
    course, scores = graded
    test = SUBMISSIONS[stem][0]
    assert scores[stem, wrong][test] == 0, f"the wrong answer alone must fail {test}: {scores[stem, wrong]}"
    assert scores[stem, attacked][test] == 0, f"{attacked} earned {test}'s points"
    assert sum(scores[stem, attacked].values()) <= sum(scores[stem, wrong].values())
    marker = read_marker(course, stem, attacked)
    found = [f for f in marker["integrity"] if f["where"] == test and f["kind"] == "results disagree"]
    assert found, f"the attack did not even pass in its kernel, so it proves nothing: {marker['integrity']}"
    assert marker["tampered"] and test in marker["rejected"], marker
