"""Notifications: the daily side of the SLA, sent by ``sla notify`` (I/O, like the warehouse).

- :mod:`analytics.notify.messages` plans the messages (pure: from the alerts of
  :mod:`analytics.alerts`, the config's ``[notify]`` and the send log's keys);
- :mod:`analytics.notify.channels` delivers one message: e-mail (``smtplib``) or a
  Microsoft Teams / Slack incoming webhook, behind one small interface (:class:`Channel`);
- :func:`deliver` sends with retries and back-off; the send log is
  ``meta.notifications`` (:mod:`analytics.warehouse.notifications`).

Metrics never call this package. A message names a lead only by its id and its company.
"""

from analytics.notify.channels import (
    Channel,
    EmailChannel,
    NotifyError,
    WebhookChannel,
    channel_for,
)
from analytics.notify.messages import Item, Message, plan_messages
from analytics.notify.send import Delivery, deliver, log_rows

__all__ = [
    "Channel",
    "Delivery",
    "EmailChannel",
    "Item",
    "Message",
    "NotifyError",
    "WebhookChannel",
    "channel_for",
    "deliver",
    "log_rows",
    "plan_messages",
]
