"""An email backend for the killed-worker test (``test_outbox_killed_worker.py``), used only by its subprocesses.

Each message sent is one line (its recipient) appended to the file ``OUTBOX_TEST_LOG`` names, flushed and synced
before ``send_messages`` returns, so the file is the provider's own record of what went out. With
``OUTBOX_TEST_BLOCK_AFTER`` = N, the (N+1)-th message of this process is written, then the backend touches
``OUTBOX_TEST_BLOCKED`` and never returns: a worker caught after handing a message over, before it marked it sent.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class KillableBackend(BaseEmailBackend):
    sent_here = 0  # by this process

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        log = Path(os.environ["OUTBOX_TEST_LOG"])
        block_after = int(os.environ.get("OUTBOX_TEST_BLOCK_AFTER", "-1"))
        for message in email_messages:
            with log.open("a") as handle:
                handle.write(",".join(message.to) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            KillableBackend.sent_here += 1
            if block_after >= 0 and KillableBackend.sent_here > block_after:
                Path(os.environ["OUTBOX_TEST_BLOCKED"]).touch()
                threading.Event().wait()  # until the test kills this process
        return len(email_messages)
