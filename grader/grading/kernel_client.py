"""The grader's kernel client: jupyter_client's own, ready as soon as the kernel has answered.

jupyter_client's ``wait_for_ready`` ends by reading IOPub until it has been silent for 0.2 s, which every
graded notebook pays once. Here the client is ready when the kernel has replied to ``kernel_info`` on
the shell channel and that request's ``idle`` status has come on IOPub: IOPub is then connected, and
nothing of the request is left on it. If the status does not come (IOPub was not yet subscribed when it
was sent), the request is sent again, as jupyter_client does. nbclient reads IOPub by each cell's
message id, so nothing else the kernel published at its start can reach a cell.
"""

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

ANSWER_SECONDS = 1.0  # how long one kernel_info request is waited for before it is sent again


def _is_reply(message: dict) -> bool:
    return message["msg_type"] == "kernel_info_reply"


def _is_idle(message: dict) -> bool:
    return message["msg_type"] == "status" and message["content"].get("execution_state") == "idle"


class PromptKernelClient(AsyncKernelClient):
    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the kernel answers on shell and IOPub; raise RuntimeError if it dies or ``timeout`` passes."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            reply = await self._message_for(request, self.get_shell_msg, _is_reply, deadline)
            if reply is not None and await self._message_for(request, self.get_iopub_msg, _is_idle, deadline):
                self._handle_kernel_info_reply(reply)
                return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    @staticmethod
    async def _message_for(request: str, read, wanted, deadline: float) -> dict | None:
        """The first message ``read`` brings in answer to ``request`` that is ``wanted``, or None if none came
        within ANSWER_SECONDS."""
        end = min(deadline, time.monotonic() + ANSWER_SECONDS)
        while (left := end - time.monotonic()) > 0:
            try:
                message = await read(timeout=left)
            except Empty:
                return None
            if message["parent_header"].get("msg_id") == request and wanted(message):
                return message
        return None
