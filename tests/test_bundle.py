"""The student bundle (`python -m grader bundle`): what learners get, and nothing of the solutions."""

import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest

import grader.authoring.sync
from grader.authoring.bundle import LeakFound, bundle, leaks, secrets_of
from grader.cli import main
from grader.paths import LESSON_STEMS, SOLUTIONS


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "pytorch-basics"
    assert main(["bundle", "--out", str(out), "--zip"]) == 0
    return out


def test_the_secrets_cover_solutions_and_hidden_tests():
    secrets = secrets_of()
    assert len(secrets) > 100, f"only {len(secrets)} secrets: is the scanner reading the solutions?"
    two_solution_lines = "if torch.accelerator.is_available():\nreturn torch.accelerator.current_accelerator().type"
    assert two_solution_lines in secrets
    assert any(secret.startswith(("assert", "check(")) for secret in secrets)  # hidden tests
    assert "if torch.accelerator.is_available():" not in secrets, "one line of ordinary PyTorch is no leak"


def test_the_bundle_holds_what_learners_need(bundled):
    assert sorted(p.name for p in (bundled / "lessons").iterdir()) == [f"{stem}.ipynb" for stem in LESSON_STEMS]
    for name in ("README.md", "Makefile", "requirements.txt", "requirements.lock", "environment.yml", "pyproject.toml",
                 "helpers/__init__.py", "helpers/checks.py", "helpers/data.py"):
        assert (bundled / name).is_file(), f"{name} is missing from the bundle"
    assert not list(bundled.rglob("__pycache__"))
    assert tomllib.loads((bundled / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"] == {
        "include": ["helpers*"]}
    assert "make lab" in (bundled / "README.md").read_text()
    assert "python -m grader" not in (bundled / "README.md").read_text()
    assert "repository only" not in (bundled / "README.md").read_text(), "the notes for the repository stay out"
    imported = subprocess.run([sys.executable, "-I", "-c", "import helpers.checks, helpers.quiz; print('ok')"],
                              cwd=bundled, capture_output=True, text=True)
    assert imported.stdout.strip() == "ok", imported.stderr
    with zipfile.ZipFile(bundled.with_name(bundled.name + ".zip")) as archive:
        zipped = {name.split("/", 1)[1] for name in archive.namelist() if not name.endswith("/")}
    assert zipped == {str(p.relative_to(bundled)) for p in bundled.rglob("*") if p.is_file()}


def test_no_solution_or_hidden_test_text_leaks_into_the_bundle(bundled):
    assert not {"solutions", "grader", "tests"} & {p.name for p in bundled.iterdir()}
    assert leaks(bundled) == []


def test_the_scanner_catches_a_leak(bundled, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(bundled, copy)
    shutil.copy2(SOLUTIONS / "02_tensors.ipynb", copy / "lessons" / "02_tensors.ipynb")
    hidden = next(line for line in sorted(secrets_of()) if line.startswith(("assert", "check(")))
    with open(copy / "helpers" / "checks.py", "a") as stream:
        stream.write(f"\n# {hidden}\n")
    with open(copy / "helpers" / "device.py", "a") as stream:
        stream.write("\ndef cheat():\n    if torch.accelerator.is_available():\n"
                     "        return torch.accelerator.current_accelerator().type\n")
    found = leaks(copy)
    assert any(f.startswith("lessons/02_tensors.ipynb: holds the marker") for f in found), found[:5]
    assert any(f.startswith("helpers/checks.py: holds solution or hidden-test text") for f in found), found[:5]
    assert any(f.startswith("helpers/device.py: holds solution or hidden-test text") for f in found), found[:5]
    (copy / "solutions").mkdir()
    assert "solutions/ must not be in the bundle" in leaks(copy)


def test_a_leaking_bundle_is_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr("grader.authoring.bundle.LESSONS", SOLUTIONS)  # as if the solutions had been released as is
    monkeypatch.setattr(grader.authoring.sync, "stale_lessons", lambda stems: {})
    with pytest.raises(LeakFound, match="lessons/01_quickstart.ipynb: holds the marker"):
        bundle(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_bundle_refuses_stale_lessons_and_an_existing_folder(tmp_path, monkeypatch, capsys):
    (tmp_path / "taken").mkdir()
    assert main(["bundle", "--out", str(tmp_path / "taken")]) == 2
    assert "already exists" in capsys.readouterr().err
    monkeypatch.setattr(grader.authoring.sync, "stale_lessons", lambda stems: {"05_build_model": "differs"})
    assert main(["bundle", "--out", str(tmp_path / "new")]) == 2
    assert "run `python -m grader release` first" in capsys.readouterr().err
