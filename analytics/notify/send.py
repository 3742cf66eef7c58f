"""Sending with retries and back-off, and the send-log rows of what happened."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from analytics.notify.channels import Channel
from analytics.notify.messages import Message

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+")


def scrub(text: str) -> str:
    """An error text without addresses (it is stored in the warehouse's send log).

    >>> scrub("550 <anna@example.com> refused by https://hooks.example.com/T0/B1")
    '550 <[e-mail]> refused by [url]'
    """
    return _URL.sub("[url]", _EMAIL.sub("[e-mail]", text))


@dataclass(frozen=True)
class Delivery:
    """What became of one message: ``sent`` or ``failed``, after how many attempts."""

    message: Message
    status: str
    attempts: int
    error: str | None = None


def deliver(
    message: Message,
    channel: Channel | Exception,
    *,
    retries: int,
    backoff_seconds: float,
    sleep: Callable[[float], Any] = time.sleep,
) -> Delivery:
    """Send ``message``, trying again up to ``retries`` times, waiting
    ``backoff_seconds``, then twice that, ... between attempts.

    ``channel`` may be the exception raised while building it (a missing environment
    variable): the message fails at once, without retries.

    Examples
    --------
    >>> class Flaky:
    ...     calls = 0
    ...     def send(self, message):
    ...         self.calls += 1
    ...         if self.calls < 3:
    ...             raise OSError("busy")
    >>> waits = []
    >>> d = deliver(None, Flaky(), retries=2, backoff_seconds=1.0, sleep=waits.append)
    >>> d.status, d.attempts, waits
    ('sent', 3, [1.0, 2.0])
    """
    if isinstance(channel, Exception):
        return Delivery(message, "failed", 0, scrub(str(channel)))
    error = None
    for attempt in range(retries + 1):
        try:
            channel.send(message)
        except Exception as exc:  # any refusal or network failure counts as failed
            error = scrub(f"{type(exc).__name__}: {exc}")
        else:
            return Delivery(message, "sent", attempt + 1)
        if attempt < retries:
            sleep(backoff_seconds * 2**attempt)
    return Delivery(message, "failed", retries + 1, error)


def log_rows(
    deliveries: list[Delivery], *, as_of: datetime, run_id: str, sent_at: datetime | None = None
) -> list[dict[str, Any]]:
    """The send-log rows (``meta.notifications``) of the deliveries: one per item."""
    now = sent_at or datetime.now(UTC)
    rows = []
    for d in deliveries:
        r = d.message.recipient
        for item in d.message.items:
            rows.append(
                {
                    "kind": item.kind,
                    "lead_id": item.lead_id,
                    "episode": item.episode,
                    "recipient": r.key,
                    "period": item.period,
                    "channel": r.webhook or "email",
                    "status": d.status,
                    "attempts": d.attempts,
                    "error": d.error,
                    "as_of": as_of,
                    "deadline_at": item.deadline_at,
                    "sent_at": now,
                    "run_id": run_id,
                }
            )
    return rows


__all__ = ["Delivery", "deliver", "log_rows", "scrub"]
