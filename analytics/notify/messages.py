"""The messages ``sla notify`` would send now: planned from the alerts, never sent twice.

Three kinds (``notify.send``):

- ``new_mql``: to the owner rep of each MQL episode started in the last
  ``notify.new_mql_hours`` and not touched yet: one message per episode, with the
  first-touch deadline of its line.
- ``at_risk_digest``: to each rep, one message listing their alerts
  (:func:`analytics.alerts.alerts` with ``notify.within_hours`` / ``within_days``) that
  were not sent to them before (an alert that turns from at risk to overdue is new).
- ``daily_summary``: to each team lead, once per local day (``handoff.calendar``), the
  team's alerts per rep and its new MQLs.

Each message carries its items: the send-log keys (kind, lead, episode, recipient,
period) it stands for. A key already sent is left out; a message with no item left is
not sent. Texts are in the recipient's language; a lead appears only as its id and
company.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from analytics.alerts import (
    ALERT_KINDS,
    alert_counts,
    alert_todo,
    alerts,
    alerts_by_rep,
    dated_after_import,
    judged_kinds,
    local_time,
    new_mqls,
    none_judged_lines,
    not_judged_lines,
)
from analytics.config import NotifyRecipient, SlaConfig
from analytics.tables import Tables
from analytics.texts import Lang, day, render, term
from analytics.timeframe import as_utc
from analytics.warehouse.notifications import deadline_key


@dataclass(frozen=True)
class Item:
    """One send-log key a message stands for."""

    kind: str
    lead_id: str
    episode: int
    period: str
    deadline_at: datetime | None = None

    def key(self, recipient: str) -> tuple[str, str, int, str, str]:
        """The key in the log (``NOTIFICATION_KEY`` order)."""
        return (self.kind, self.lead_id, self.episode, recipient, self.period)

    def sent_in(self, sent: set[tuple], recipient: str) -> bool:
        """Whether ``sent`` (:func:`analytics.warehouse.notifications.sent_keys`) holds this
        item for ``recipient``: by its key, or by its deadline (a re-import that adds an
        earlier MQL renumbers a lead's episodes; the deadline of the alert stays).

        >>> from datetime import UTC
        >>> due = datetime(2026, 12, 4, 9, tzinfo=UTC)
        >>> item = Item("alert.first_touch.overdue", "L7", 2, "", due)
        >>> item.sent_in({deadline_key("alert.first_touch.overdue", "L7", "rep:r", "", due)},
        ...              "rep:r")
        True
        """
        if self.key(recipient) in sent:
            return True
        return self.deadline_at is not None and (
            deadline_key(self.kind, self.lead_id, recipient, self.period, self.deadline_at) in sent
        )


@dataclass(frozen=True)
class Message:
    """One message to one recipient, already in the recipient's language."""

    kind: str
    recipient: NotifyRecipient
    lang: Lang
    subject: str
    lines: tuple[str, ...]
    items: tuple[Item, ...]

    @property
    def body(self) -> str:
        """The plain-text body: the lines, one a paragraph."""
        return "\n\n".join(self.lines)

    def summary(self) -> dict[str, Any]:
        """The message for ``sla notify --json`` (no address: the recipient's log key)."""
        return {
            "kind": self.kind,
            "recipient": self.recipient.key,
            "channel": self.recipient.webhook or "email",
            "language": self.lang,
            "subject": self.subject,
            "items": len(self.items),
        }


def _company(value: str | None, lang: Lang) -> str:
    return value if value else render("notify.company.none", lang=lang)


def _footer(as_of: datetime, lang: Lang) -> str:
    return render("notify.footer", lang=lang, as_of=local_time(as_of, lang))


def _new_mql_messages(
    new: pl.DataFrame,
    recipients: Iterable[NotifyRecipient],
    *,
    config: SlaConfig,
    as_of: datetime,
    sent: set[tuple],
) -> list[Message]:
    out = []
    tz = config.handoff.calendar.timezone
    for r in recipients:
        lang: Lang = r.language
        for row in new.filter(pl.col("rep_id") == r.rep_id).iter_rows(named=True):
            item = Item("new_mql", row["lead_id"], int(row["episode"]), "", row["deadline_at"])
            if item.sent_in(sent, r.key):
                continue
            deadline = local_time(row["deadline_local"], lang)
            params = {"lead": row["lead_id"], "company": _company(row["company"], lang)}
            body = render(
                "notify.body.new_mql",
                lang=lang,
                **params,
                started=local_time(row["started_at"].astimezone(_zone(tz)), lang),
                trigger=term("trigger", row["trigger"], lang=lang),
                hours=row["line_hours"],
                clock=render(f"notify.clock.{row['clock']}", lang=lang),
                deadline=deadline,
            )
            subject = render("notify.subject.new_mql", lang=lang, **params, deadline=deadline)
            out.append(Message("new_mql", r, lang, subject, (body, _footer(as_of, lang)), (item,)))
    return out


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _digest_messages(
    found: pl.DataFrame,
    recipients: Iterable[NotifyRecipient],
    *,
    config: SlaConfig,
    as_of: datetime,
    sent: set[tuple],
) -> list[Message]:
    out = []
    for r in recipients:
        lang: Lang = r.language
        rows, items = [], []
        for row in found.filter(pl.col("rep_id") == r.rep_id).iter_rows(named=True):
            item = Item(
                f"alert.{row['kind']}.{row['status']}",
                row["lead_id"],
                int(row["episode"] or 0),
                "",
                row["deadline_at"],
            )
            if not item.sent_in(sent, r.key):
                rows.append(row)
                items.append(item)
        if not items:
            continue
        overdue = sum(row["status"] == "overdue" for row in rows)
        subject = render(
            "notify.subject.digest", lang=lang, n=len(rows), overdue=overdue,
            at_risk=len(rows) - overdue,
        )  # fmt: skip
        lines = [
            render(
                "notify.line.alert",
                lang=lang,
                status=term("alert_status", row["status"], lang=lang),
                kind=term("alert_kind", row["kind"], lang=lang),
                lead=row["lead_id"],
                company=_company(row["company"], lang),
                todo=alert_todo(row, config=config, lang=lang),
            )
            for row in rows
        ]
        out.append(
            Message(
                "at_risk_digest", r, lang, subject, (*lines, _footer(as_of, lang)), tuple(items)
            )
        )
    return out


def _summary_messages(
    found: pl.DataFrame,
    new: pl.DataFrame,
    recipients: Iterable[NotifyRecipient],
    *,
    period: str,
    as_of: datetime,
    sent: set[tuple],
    missing: Mapping[str, str | None],
    stopped: date | None = None,
    events_stopped: date | None = None,
    after_import: Mapping[str, datetime] | None = None,
) -> list[Message]:
    out = []
    by_rep = alerts_by_rep(found.lazy(), unknown=[k for k, t in missing.items() if t]).collect()
    # no kind of alert can be judged: the counts are unknown, not 0 (spec/coverage.md)
    judged = alert_counts(found, missing=missing)["overdue"] is not None
    # leads of no team: no owner, or an owner the reps table does not know
    teamless = by_rep.filter(pl.col("team").is_null())
    unowned = teamless.select(pl.col("overdue").sum(), pl.col("at_risk").sum(), pl.len())
    for r in recipients:
        lang: Lang = r.language
        item = Item("daily_summary", "", 0, period)
        if item.sent_in(sent, r.key):
            continue
        team = by_rep.filter(pl.col("team") == r.team)
        overdue, at_risk = (
            (int(team["overdue"].sum()), int(team["at_risk"].sum())) if judged else (None, None)
        )
        # new MQLs are the untouched ones: without the touches, unknown
        new_n = new.filter(pl.col("team") == r.team).height if not missing["first_touch"] else None
        subject = render(
            "notify.subject.summary", lang=lang, team=r.team, day=day(as_of, lang),
            overdue=overdue, at_risk=at_risk, new=new_n,
        )  # fmt: skip
        lines = [
            render(
                "notify.line.summary_rep",
                lang=lang,
                rep=row["rep_name"] or row["rep_id"],
                overdue=row["overdue"],
                at_risk=row["at_risk"],
            )
            for row in team.iter_rows(named=True)
        ]
        why_not = not_judged_lines(
            missing,
            stopped=stopped,
            events_stopped=events_stopped,
            after_import=after_import,
            lang=lang,
        )
        if judged:
            lines = lines or [render("notify.summary.none", lang=lang)]
            # no one's leads are every team's: the At risk page lists them as "unassigned"
            overdue_n, at_risk_n, rows = unowned.row(0)
            if rows:
                lines.append(render("notify.line.summary_unassigned", lang=lang,
                                    overdue=overdue_n, at_risk=at_risk_n))  # fmt: skip
            # a kind the data cannot judge is named: "nothing at risk" is not all-clear for it
            lines += why_not
        else:  # nothing judged: why, and no counts
            lines = none_judged_lines(
                missing,
                stopped=stopped,
                events_stopped=events_stopped,
                after_import=after_import,
                lang=lang,
            )
        out.append(
            Message("daily_summary", r, lang, subject, (*lines, _footer(as_of, lang)), (item,))
        )
    return out


def unknown_rep_recipients(tables: Tables, config: SlaConfig) -> list[str]:
    """One problem per ``[[notify.recipients]]`` whose ``rep_id`` names no rep of the data
    (not in ``reps``, no lead's owner): its alerts would reach nobody, silently.

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> notify = cfg.notify.model_copy(update={"recipients": [
    ...     NotifyRecipient(rep_id="r1", email="a@example.com"),
    ...     NotifyRecipient(rep_id="rep-3", email="b@example.com")]})
    >>> t = Tables.from_rows(reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}])
    >>> unknown_rep_recipients(t, cfg.model_copy(update={"notify": notify}))
    ["notify.recipients[1].rep_id = 'rep-3': no rep with this id in the warehouse"]
    """
    wanted = {r.rep_id for r in config.notify.recipients if r.rep_id is not None}
    if not wanted:
        return []
    known = set(
        pl.concat(
            [
                tables.reps.select("rep_id"),
                tables.leads.select(pl.col("owner_rep_id").alias("rep_id")),
            ]
        )
        .filter(pl.col("rep_id").is_in(sorted(wanted)))
        .unique()
        .collect()["rep_id"]
    )
    return [
        f"notify.recipients[{i}].rep_id = {r.rep_id!r}: no rep with this id in the warehouse"
        for i, r in enumerate(config.notify.recipients)
        if r.rep_id is not None and r.rep_id not in known
    ]


def plan_messages(
    tables: Tables, config: SlaConfig, *, as_of: datetime, sent: set[tuple] = frozenset()
) -> list[Message]:
    """The messages to send at ``as_of``, leaving out every item already ``sent``.

    Parameters
    ----------
    tables : Tables
        The warehouse's tables.
    config : SlaConfig
        ``[notify]`` (what, to whom, in which language) and the SLA the alerts judge by.
    as_of : datetime
        The moment "now".
    sent : set of tuple
        The send log's keys already sent
        (:func:`analytics.warehouse.notifications.sent_keys`).

    Returns
    -------
    list of Message: new-MQL handoffs, then digests, then summaries, in the order of the
    recipients in the config.
    """
    moment = as_utc(as_of)
    n = config.notify
    reps = [r for r in n.recipients if r.rep_id is not None]
    leads = [r for r in n.recipients if r.team is not None]
    local = moment.astimezone(_zone(config.handoff.calendar.timezone))
    new = new_mqls(tables, config=config, as_of=moment, since_hours=n.new_mql_hours).collect()
    messages: list[Message] = []
    if "new_mql" in n.send:
        messages += _new_mql_messages(new, reps, config=config, as_of=local, sent=set(sent))
    if {"at_risk_digest", "daily_summary"} & set(n.send):
        covered, stopped, events_stopped = judged_kinds(tables, as_of=moment, config=config)
        found = alerts(
            tables,
            config=config,
            as_of=moment,
            within_hours=n.within_hours,
            within_days=n.within_days,
            kinds=[k for k in ALERT_KINDS if covered[k] is None],
        ).collect()
        if "at_risk_digest" in n.send:
            messages += _digest_messages(found, reps, config=config, as_of=local, sent=set(sent))
        if "daily_summary" in n.send:
            messages += _summary_messages(
                found, new, leads, period=local.date().isoformat(), as_of=local, sent=set(sent),
                missing=covered, stopped=stopped, events_stopped=events_stopped,
                after_import=dated_after_import(tables, covered, as_of=moment),
            )  # fmt: skip
    return messages


__all__ = ["Item", "Message", "plan_messages", "unknown_rep_recipients"]
