"""Running a long-lived `flask jobs ...` command in this process while a thread acts beside it."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

COMMAND_ENDED = threading.Event()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert not COMMAND_ENDED.is_set(), f"the command ended while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@contextmanager
def beside(steps: Callable[[], None]) -> Iterator[list[BaseException]]:
    """Run `steps` in a thread while the body runs the command; then SIGTERM this process to stop it
    (unless the command ended by itself)."""
    failures: list[BaseException] = []
    COMMAND_ENDED.clear()

    def run() -> None:
        try:
            steps()
        except BaseException as exc:
            failures.append(exc)
        finally:
            if not COMMAND_ENDED.is_set():
                os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield failures
    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # a late SIGTERM must not end pytest
    COMMAND_ENDED.set()
    thread.join(timeout=30)
    signal.signal(signal.SIGTERM, previous)
