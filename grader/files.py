"""Writing a file so that a run killed at any moment leaves the old file or the new one, never half of one."""

from pathlib import Path

import nbformat


def write_atomically(path: Path, data: bytes | str) -> Path:
    """Write ``data`` beside ``path`` first, then rename it into place (atomic on one file system)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    partial.replace(path)
    return path


def write_notebook_atomically(notebook: nbformat.NotebookNode, path: Path) -> Path:
    """The notebook as nbformat.write would write it, atomically."""
    text = nbformat.writes(notebook)
    return write_atomically(path, text if text.endswith("\n") else text + "\n")
