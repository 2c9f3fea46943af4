"""Where the course's files live, and which lessons exist, in order."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"
LESSONS = REPO / "lessons"
CONFIG_FILE = Path(__file__).resolve().parent / "nbgrader_config.py"

LESSON_STEMS = (
    "01_quickstart",
    "02_tensors",
    "03_datasets_and_dataloaders",
    "04_transforms",
    "05_build_model",
    "06_autograd",
    "07_optimization",
    "08_save_and_load",
)


def written_lessons(folder: Path = SOLUTIONS) -> list[str]:
    """Stems of the course's lessons present in ``folder``, in course order."""
    return [stem for stem in LESSON_STEMS if (folder / f"{stem}.ipynb").exists()]


def resolve_stems(requested: list[str] | None, folder: Path = SOLUTIONS) -> list[str]:
    """Stems named on the command line (a stem or its two-digit number), or every written lesson."""
    if not requested:
        return written_lessons(folder)
    stems = []
    for name in requested:
        matches = [stem for stem in LESSON_STEMS if name in (stem, stem[:2], stem.split("_", 1)[0].lstrip("0"))]
        if not matches:
            raise ValueError(f"unknown lesson {name!r}; known lessons: {', '.join(LESSON_STEMS)}")
        stems.append(matches[0])
    return stems
