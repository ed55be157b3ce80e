from __future__ import annotations

from saas.jobs import enqueue, job
from saas.mail import services


@job
def deliver(message_id: int) -> bool:
    """Deliver one outbox row. Failures stay pending with a backoff time for the sweep."""
    return services.message_deliver(message_id)


@job
def sweep_outbox() -> int:
    """Re-enqueue pending rows whose attempt is due (Redis lost the job, or SMTP was down)."""
    ids = services.due_message_ids()
    for message_id in ids:
        enqueue(deliver, message_id, retry=None)
    return len(ids)
