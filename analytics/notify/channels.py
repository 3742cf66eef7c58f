"""How a message travels: e-mail or a Teams / Slack incoming webhook, behind one interface.

A :class:`Channel` has one method, ``send(message)``, which returns when the message was
accepted and raises otherwise. :func:`channel_for` builds the channel of a recipient from
``[notify]`` and the environment: a webhook's URL and the SMTP login come from the
environment variables the config names, never from the config file.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import smtplib
import ssl
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any, Protocol

from analytics.config import NotifyEmail, NotifyRecipient, SlaConfig
from analytics.notify.messages import Message

#: Seconds to wait for a server before a send counts as failed (and is retried).
TIMEOUT_SECONDS = 20.0


class NotifyError(Exception):
    """A message could not be sent (the text says why, without any address)."""


class Channel(Protocol):
    """Delivers one message; raises when it was not accepted."""

    def send(self, message: Message) -> None: ...


#: Headers written unfolded: Python's folding splits a subject's encoded words at a
#: space, which RFC 2047 readers then drop ("– gefährdet" arrived as "–gefährdet").
_MAIL_POLICY = email.policy.default.clone(max_line_length=998)


def email_message(message: Message, *, sender: str) -> EmailMessage:
    """The e-mail of ``message``: subject, sender, recipient, language and body.

    >>> from analytics.config import NotifyRecipient
    >>> m = Message("daily_summary", NotifyRecipient(team="sdr", email="a@example.com"), "de",
    ...             "[SLA] Team sdr, 10.05.2026: – überfällig, – gefährdet, neue MQLs: –",
    ...             ("Zeile",), ())
    >>> raw = email_message(m, sender="sla@example.com").as_bytes()
    >>> email.message_from_bytes(raw, policy=email.policy.default)["Subject"] == m.subject
    True
    """
    mail = EmailMessage(policy=_MAIL_POLICY)
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = message.recipient.email
    mail["Content-Language"] = message.lang
    mail.set_content(message.body)
    return mail


class EmailChannel:
    """E-mail through an SMTP server (``[notify.email]``), optionally STARTTLS and a login."""

    def __init__(self, settings: NotifyEmail, *, env: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        env = os.environ if env is None else env
        self.login: tuple[str, str] | None = None
        if settings.username_env:
            missing = [
                v for v in (settings.username_env, settings.password_env) if v and v not in env
            ]
            if missing:
                raise NotifyError(f"environment variable(s) {', '.join(missing)} not set")
            password = env.get(settings.password_env, "") if settings.password_env else ""
            self.login = (env[settings.username_env], password)

    def send(self, message: Message) -> None:
        s = self.settings
        mail = email_message(message, sender=s.sender)
        try:
            server = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
        except smtplib.SMTPException:
            raise
        except OSError as exc:  # a wrong host or port: say which, and where it is set
            raise OSError(
                f"notify.email: cannot reach the SMTP server host = {s.host!r}, port = {s.port} "
                f"({type(exc).__name__}: {exc})"
            ) from None
        with server as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.login:
                smtp.login(*self.login)
            smtp.send_message(mail)


def teams_payload(message: Message) -> dict[str, Any]:
    """A Microsoft Teams incoming-webhook message: an Adaptive Card (subject and lines).

    Every text is a ``TextRun``, which Teams shows as written: a company named
    ``[Klick](https://...)`` in the data stays those characters, never a link (a
    ``TextBlock`` would render its Markdown).

    >>> from analytics.config import NotifyRecipient
    >>> m = Message("new_mql", NotifyRecipient(rep_id="r", webhook="teams", url_env="U"),
    ...             "en", "Subject", ("[Klick](https://example.org)",), ())
    >>> body = teams_payload(m)["attachments"][0]["content"]["body"]
    >>> [(block["type"], block["inlines"][0]["text"]) for block in body]
    [('RichTextBlock', 'Subject'), ('RichTextBlock', '[Klick](https://example.org)')]
    """

    def text(value: str, **style: str) -> dict[str, Any]:
        return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": value, **style}]}

    blocks = [text(message.subject, weight="Bolder")]
    blocks += [text(line) for line in message.lines]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": blocks,
                },
            }
        ],
    }


def _slack_escaped(text: str) -> str:
    """``&``, ``<`` and ``>`` as Slack asks for them in text it formats (the fallback)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict[str, Any]:
    """A Slack incoming-webhook message: ``text`` (the fallback) and one section per line.

    The sections are plain text, so a company named ``<https://...|Click here>`` in the
    data is shown as written, never as a link; the fallback is escaped.

    >>> from analytics.config import NotifyRecipient
    >>> m = Message("new_mql", NotifyRecipient(rep_id="r", webhook="slack", url_env="U"),
    ...             "en", "Subject <x>", ("<https://example.org|Click>",), ())
    >>> payload = slack_payload(m)
    >>> payload["text"], payload["blocks"][1]["text"]
    ('Subject &lt;x&gt;', {'type': 'plain_text', 'text': '<https://example.org|Click>'})
    """
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": message.subject[:150]}}]
    blocks += [
        {"type": "section", "text": {"type": "plain_text", "text": line}} for line in message.lines
    ]
    return {"text": _slack_escaped(message.subject), "blocks": blocks}


class WebhookChannel:
    """An incoming webhook of Microsoft Teams or Slack: one JSON POST per message."""

    def __init__(self, fmt: str, url: str) -> None:
        if fmt not in ("teams", "slack"):
            raise ValueError(f"webhook format {fmt!r}; allowed: teams, slack")
        self.fmt, self.url = fmt, url

    def send(self, message: Message) -> None:
        payload = teams_payload(message) if self.fmt == "teams" else slack_payload(message)
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            if not 200 <= response.status < 300:
                raise NotifyError(f"the webhook answered HTTP {response.status}")


def channel_for(
    recipient: NotifyRecipient, config: SlaConfig, *, env: Mapping[str, str] | None = None
) -> Channel:
    """The channel of ``recipient``; :class:`NotifyError` when its environment is missing."""
    env = os.environ if env is None else env
    if recipient.webhook is not None:
        url = env.get(recipient.url_env or "")
        if not url:
            raise NotifyError(f"environment variable {recipient.url_env} (the webhook URL) not set")
        return WebhookChannel(recipient.webhook, url)
    if config.notify.email is None:  # the config validates this; kept for direct callers
        raise NotifyError("no [notify.email] SMTP server configured")
    return EmailChannel(config.notify.email, env=env)


__all__ = [
    "TIMEOUT_SECONDS",
    "Channel",
    "EmailChannel",
    "NotifyError",
    "WebhookChannel",
    "channel_for",
    "slack_payload",
    "teams_payload",
]
