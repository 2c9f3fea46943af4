"""Refreshing a solution's outputs keeps edits made to the file while it ran."""

import nbformat

from grader.authoring.refresh import merge_outputs


def _notebook(*sources: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    for i, source in enumerate(sources):
        cell = nbformat.v4.new_code_cell(source)
        cell["id"] = f"cell-{i}"
        notebook.cells.append(cell)
    return notebook


def test_outputs_go_only_to_cells_whose_source_ran_unchanged():
    executed = _notebook("print(1)", "print(2)")
    for n, cell in enumerate(executed.cells, start=1):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{n}\n")]
        cell.execution_count = n
    current = _notebook("print(1)", "print('edited meanwhile')", "print('added meanwhile')")
    stale = merge_outputs(executed, current)
    assert stale == ["cell-1", "cell-2"]
    assert current.cells[0].outputs[0]["text"] == "1\n" and current.cells[0].execution_count == 1
    assert current.cells[1].outputs == [] and current.cells[1].source == "print('edited meanwhile')"
    assert current.cells[2].source == "print('added meanwhile')"
