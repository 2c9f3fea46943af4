"""The grader's kernel client is ready without waiting for IOPub to fall silent, and loses nothing by it."""

import asyncio
import json
import sys

import pytest
from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient
from nbformat import v4

from grader.grading.kernel_client import PromptKernelClient

pytestmark = pytest.mark.slow
CLIENT = "grader.grading.kernel_client.PromptKernelClient"


def test_a_notebook_run_with_the_client_keeps_every_output_from_the_first_cell_on(tmp_path):
    for run in range(3):  # IOPub's subscription races the first request: try it more than once
        notebook = v4.new_notebook(cells=[v4.new_code_cell(f"print('first of run {run}')"),
                                          v4.new_code_cell("import sys; print('to stderr', file=sys.stderr); 6 * 7"),
                                          v4.new_code_cell("from IPython.display import display; display('shown')")])
        manager = AsyncKernelManager(kernel_name="python3", client_class=CLIENT)
        NotebookClient(notebook, km=manager, timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()
        first, second, third = (cell.outputs for cell in notebook.cells)
        assert [(o.output_type, o.text) for o in first] == [("stream", f"first of run {run}\n")]
        assert [(o.output_type, o.get("text") or o.data["text/plain"]) for o in second] == [
            ("stream", "to stderr\n"), ("execute_result", "42")]
        assert [(o.output_type, o.data["text/plain"]) for o in third] == [("display_data", "'shown'")]


def _kernel_that_runs(tmp_path, code: str, monkeypatch) -> AsyncKernelManager:
    """A kernelspec whose 'kernel' runs ``code`` and never speaks the protocol."""
    spec = tmp_path / "kernels" / "mute"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-c", code, "{connection_file}"],
                                                  "display_name": "mute", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    return AsyncKernelManager(kernel_name="mute", client_class=CLIENT)


async def _wait_for(manager: AsyncKernelManager, timeout: float) -> None:
    await manager.start_kernel()
    client = manager.client()
    assert isinstance(client, PromptKernelClient)
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=timeout)
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


def test_a_kernel_that_never_answers_is_reported_at_the_timeout(tmp_path, monkeypatch):
    manager = _kernel_that_runs(tmp_path, "import time; time.sleep(60)", monkeypatch)
    with pytest.raises(RuntimeError, match="didn't respond in 3 seconds"):
        asyncio.run(_wait_for(manager, timeout=3))


def test_a_kernel_that_dies_is_reported_as_dead(tmp_path, monkeypatch):
    manager = _kernel_that_runs(tmp_path, "pass", monkeypatch)
    with pytest.raises(RuntimeError, match="died before replying"):
        asyncio.run(_wait_for(manager, timeout=30))
