"""sla notify against a real local SMTP server (aiosmtpd) and a local HTTP server (webhooks).

The messages arrive, in each recipient's language, once; a failed send is retried with
back-off, reported (exit 1) and sent by the next run; the send log holds no address.
"""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from analytics.cli import app
from analytics.config import ConfigError, load_config, parse_config
from analytics.tables import Tables
from analytics.warehouse import connect_readonly
from analytics.warehouse.notifications import (
    create_notifications_table,
    log_path,
    notification_log,
    record_notifications,
    sent_keys,
)

ROOT = Path(__file__).resolve().parent.parent
#: The example config without its [notify] section (each test writes its own).
BASE = (ROOT / "data" / "sla.toml").read_text(encoding="utf-8").split("\n[notify]\n")[0] + "\n"


def free_port() -> int:
    """A free local port (the OS picks one above 8620, so parallel test workers never clash)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


AS_OF = "2026-10-03T09:00:00Z"


class Inbox:
    """An aiosmtpd handler that keeps the messages; the first ``fail`` DATA commands get 451."""

    def __init__(self, fail: int = 0) -> None:
        self.messages: list = []
        self.fail = fail
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refused < self.fail:
            self.refused += 1
            return "451 4.3.0 mailbox busy, try again later"
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def subject(mail) -> str:
    return str(mail["Subject"]).strip()


def body(mail) -> str:
    return mail.get_content()


@pytest.fixture
def smtp():
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


class Posts(list):
    """The webhook posts received: (path, JSON body); ``port`` is the server's."""

    port = 0


@pytest.fixture
def hooks():
    posts = Posts()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            posts.append((self.path, json.loads(self.rfile.read(length))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"1")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    posts.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield posts
    server.shutdown()
    server.server_close()


def one_recipient_config(send: list[str], recipient: str):
    """The SLA config with an e-mail server and one recipient (TOML lines, e.g.
    ``team = "sdr"``) who gets ``send``."""
    return parse_config(
        BASE
        + f'\n[notify]\nsend = {json.dumps(send)}\n\n[notify.email]\nhost = "127.0.0.1"\n'
        + f'sender = "sla@example.com"\n\n[[notify.recipients]]\n{recipient}\n'
    )


def notify_toml(port: int, *, retries: int = 2) -> str:
    return f"""
[notify]
retries = {retries}
backoff_seconds = 0.01

[notify.email]
host = "127.0.0.1"
port = {port}
sender = "sla@example.com"

[[notify.recipients]]
rep_id = "r1"
email = "rita@example.com"
language = "de"

[[notify.recipients]]
rep_id = "r2"
webhook = "slack"
url_env = "SLA_TEST_SLACK"

[[notify.recipients]]
team = "sdr"
email = "sdr-lead@example.com"

[[notify.recipients]]
team = "ae"
webhook = "teams"
url_env = "SLA_TEST_TEAMS"
language = "de"
"""


def ev(lead, stage, when):
    return {"lead_id": lead, "stage": stage, "entered_at": when}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Lead a (Rita's): an MQL 18 h before AS_OF, untouched; lead b (Ralf's): 33 h, overdue."""
    from analytics.warehouse import write_tables

    t = Tables.from_rows(
        reps=[
            {"rep_id": "r1", "name": "Rita", "team": "sdr"},
            {"rep_id": "r2", "name": "Ralf", "team": "ae"},
        ],
        accounts=[{"account_id": "acc", "name": "Muster GmbH"}],
        leads=[
            {"lead_id": lead, "created_at": "2026-09-01T00:00:00Z", "source": "email",
             "owner_rep_id": owner, "account_id": "acc"}
            for lead, owner in (("a", "r1"), ("b", "r2"), ("z", "r1"))
        ],
        lifecycle_events=[ev("a", "mql", "2026-10-02T15:00:00Z"),
                          ev("b", "mql", "2026-10-02T00:00:00Z")],
        sales_touches=[{"touch_id": "t", "lead_id": "z", "rep_id": "r1", "channel": "phone",
                        "occurred_at": "2026-10-02T15:00:00Z", "outcome": "connected"}],
    )  # fmt: skip
    path = tmp_path / "w.duckdb"
    cfg = load_config(ROOT / "data" / "sla.toml")
    write_tables(path, {n: lf.collect() for n, lf in t.items()}, source="test", config=cfg)
    return path


def run(
    db: Path, tmp_path: Path, toml: str, *extra: str, env: dict | None = None, hook_port: int = 9
):
    config = tmp_path / "sla.toml"
    config.write_text(BASE + toml, encoding="utf-8")
    env = {
        "SLA_TEST_SLACK": f"http://127.0.0.1:{hook_port}/slack",
        "SLA_TEST_TEAMS": f"http://127.0.0.1:{hook_port}/teams",
        **(env or {}),
    }
    args = ["notify", "--db", str(db), "--config", str(config), "--as-of", AS_OF, "--json", *extra]
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else result.output


def test_messages_arrive_in_the_right_language_once(db, tmp_path, smtp, hooks):
    code, doc = run(db, tmp_path, notify_toml(smtp.port), hook_port=hooks.port)
    assert code == 0, doc
    assert [(m["kind"], m["recipient"], m["language"], m["status"]) for m in doc["messages"]] == [
        ("new_mql", "rep:r1:email", "de", "sent"),
        ("at_risk_digest", "rep:r1:email", "de", "sent"),
        ("at_risk_digest", "rep:r2:slack", "en", "sent"),
        ("daily_summary", "team:sdr:email", "en", "sent"),
        ("daily_summary", "team:ae:teams", "de", "sent"),
    ]
    mails = {(to[0], subject(m)): m for to, m in smtp.messages}
    assert sorted(mails) == [
        ("rita@example.com", "[SLA] 1 Ihrer Leads brauchen Sie: 0 überfällig, 1 gefährdet"),
        ("rita@example.com",
         "[SLA] Neuer MQL a (Muster GmbH): Erstkontakt bis 03.10.2026 17:00 CEST"),
        ("sdr-lead@example.com",
         "[SLA] Team sdr, 2026-10-03: 0 overdue, 1 at risk, new MQLs: 1"),
    ]  # fmt: skip
    handoff = next(m for (_, s), m in mails.items() if s.startswith("[SLA] Neuer MQL"))
    text = body(handoff)
    assert "Lead a von Muster GmbH wurde am 02.10.2026 17:00 CEST zum MQL" in text
    assert "innerhalb von 24 Stunden: bis 03.10.2026 17:00 CEST" in text
    assert "@" not in text  # nothing personal: the lead's id and company only
    (slack_path, slack), (teams_path, teams) = sorted(hooks, key=lambda p: p[0])
    assert slack_path == "/slack" and teams_path == "/teams"
    assert slack["text"] == "[SLA] 1 of your leads need you: 1 overdue, 0 at risk"
    assert "overdue: First touch, lead b (Muster GmbH): First touch by 2026-10-03 02:00 CEST" in [
        b["text"]["text"] for b in slack["blocks"][1:]
    ]
    card = teams["attachments"][0]["content"]
    assert (
        card["body"][0]["inlines"][0]["text"]
        == "[SLA] Team ae, 03.10.2026: 1 überfällig, 0 gefährdet, neue MQLs: 0"
    )
    assert card["body"][1]["inlines"][0]["text"] == "Ralf: 1 überfällig, 0 gefährdet"

    # the second run sends nothing: every item is in the log
    code, again = run(db, tmp_path, notify_toml(smtp.port), hook_port=hooks.port)
    assert (code, again["messages"], again["sent"]) == (0, [], 0)
    assert len(smtp.messages) == 3 and len(hooks) == 2
    log = notification_log(db)
    assert log.height == 5 and set(log["status"]) == {"sent"}
    assert not any("@" in str(v) for v in log.rows() for v in v)  # no address at rest


def test_dry_run_sends_and_logs_nothing(db, tmp_path, smtp, hooks):
    code, doc = run(db, tmp_path, notify_toml(smtp.port), "--dry-run", hook_port=hooks.port)
    assert code == 0 and len(doc["messages"]) == 5
    assert {m["status"] for m in doc["messages"]} == {"planned"}
    assert smtp.messages == [] and hooks == []
    assert notification_log(db).is_empty() and not log_path(db).exists()


def test_a_failed_smtp_send_is_retried_reported_and_sent_by_the_next_run(db, tmp_path, hooks):
    port = free_port()
    down = Inbox(fail=10**6)  # refuses everything
    controller = Controller(down, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        code, doc = run(db, tmp_path, notify_toml(port, retries=2), hook_port=hooks.port)
    finally:
        controller.stop()
    assert code == 1
    failed = [m for m in doc["messages"] if m["status"] == "failed"]
    assert [m["recipient"] for m in failed] == ["rep:r1:email", "rep:r1:email", "team:sdr:email"]
    assert {m["attempts"] for m in failed} == {3}  # the first try and two retries
    assert all("451" in m["error"] for m in failed)
    assert down.refused == 9 and doc["failed"] == 3 and doc["sent"] == 2  # the webhooks went

    flaky = Inbox(fail=1)  # refuses once, then accepts
    controller = Controller(flaky, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        code, doc = run(db, tmp_path, notify_toml(port, retries=2), hook_port=hooks.port)
    finally:
        controller.stop()
    assert code == 0
    assert [(m["recipient"], m["attempts"]) for m in doc["messages"]] == [
        ("rep:r1:email", 2),
        ("rep:r1:email", 1),
        ("team:sdr:email", 1),
    ]
    assert len(flaky.messages) == 3 and len(hooks) == 2  # the webhooks were not sent again


def test_a_missing_webhook_url_fails_without_sending(db, tmp_path, smtp):
    code, doc = run(db, tmp_path, notify_toml(smtp.port), env={"SLA_TEST_SLACK": ""})
    assert code == 1
    slack = next(m for m in doc["messages"] if m["recipient"] == "rep:r2:slack")
    assert slack["status"] == "failed" and "SLA_TEST_SLACK" in slack["error"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[notify.recipients]]\nrep_id = "r1"\nwebhook = "teams"\n'
            'url_env = "https://example.webhook.office.com/x"\n',
            "notify.recipients[0].url_env",
        ),
        ('[[notify.recipients]]\nrep_id = "r1"\nemail = "rita@example.com"\n', "notify.email"),
        ('[[notify.recipients]]\nrep_id = "r1"\nteam = "sdr"\nemail = "x@y.de"\n', "exactly one"),
        ('[notify]\nsend = ["sms"]\n', "notify.send[0]"),
    ],
)
def test_notify_config_errors_name_the_key(toml, message):
    text = BASE + ("[notify]\n" if not toml.startswith("[notify]") else "") + toml
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(text)


def test_no_recipients_exits_2(db, tmp_path):
    code, output = run(db, tmp_path, "")
    assert code == 2 and "notify.recipients" in output


def test_the_send_log_is_written_beside_the_warehouse_which_stays_untouched(
    db, tmp_path, smtp, hooks
):
    before = (db.stat().st_ino, db.stat().st_mtime_ns, db.read_bytes())
    code, doc = run(db, tmp_path, notify_toml(smtp.port), hook_port=hooks.port)
    assert code == 0 and doc["sent"] == 5
    assert (db.stat().st_ino, db.stat().st_mtime_ns, db.read_bytes()) == before
    assert log_path(db).name == "w.duckdb.notifications.sqlite"
    assert notification_log(db).height == 5


def test_a_send_log_kept_in_the_warehouse_is_moved_beside_it_once_and_not_sent_again(
    db, tmp_path, smtp, hooks
):
    import duckdb

    from analytics.warehouse.database import updating

    # what an older version logged in the warehouse: rita's new MQL of lead a, sent
    old = {"kind": "new_mql", "lead_id": "a", "episode": 1, "recipient": "rep:r1:email",
           "period": "", "channel": "email", "status": "sent", "attempts": 1,
           "sent_at": "2026-10-02T16:00:00+00:00", "deadline_at": "2026-10-03T15:00:00+00:00",
           "run_id": "old"}  # fmt: skip
    with updating(db, keep_results=True) as con:
        create_notifications_table(con)
        cols = ", ".join(old)
        con.execute(
            f"INSERT INTO meta.notifications ({cols}) VALUES ({', '.join('?' for _ in old)})",
            list(old.values()),
        )
    con = connect_readonly(db)
    assert notification_log(db, con=con)["run_id"].to_list() == ["old"]  # read before the move
    con.close()
    code, doc = run(db, tmp_path, notify_toml(smtp.port), hook_port=hooks.port)
    assert code == 0
    assert ("new_mql", "rep:r1:email") not in [(m["kind"], m["recipient"]) for m in doc["messages"]]
    assert doc["sent"] == 4 and doc["already_sent"] == 1
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'notifications'"
        ).fetchall()
    assert tables == [(0,)]  # moved out of the warehouse
    log = notification_log(db)
    assert log.height == 5 and log.filter(run_id="old").height == 1  # moved once
    assert record_notifications(db, []) == 0


def test_a_new_warehouse_in_the_same_place_starts_without_the_old_send_log(db):
    from analytics.warehouse import write_tables

    row = {"kind": "new_mql", "lead_id": "a", "episode": 1, "status": "sent"}
    assert record_notifications(db, [row]) == 1 and log_path(db).exists()
    cfg = load_config(ROOT / "data" / "sla.toml")
    write_tables(db, {"leads": Tables.empty().leads.collect()}, source="sla demo", config=cfg)
    assert not log_path(db).exists() and notification_log(db).is_empty()


def test_a_run_while_another_one_sends_sends_nothing(db, tmp_path, smtp, hooks):
    from analytics.warehouse.notifications import notify_lock

    with notify_lock(db) as free:  # a slow run still at work
        assert free
        code, doc = run(db, tmp_path, notify_toml(smtp.port), hook_port=hooks.port)
        assert (code, doc["skipped"], doc["messages"]) == (0, True, [])
        code, dry = run(db, tmp_path, notify_toml(smtp.port), "--dry-run", hook_port=hooks.port)
        assert code == 0 and len(dry["messages"]) == 5  # a dry run neither waits nor blocks
    assert smtp.messages == [] and hooks == [] and notification_log(db).is_empty()
    code, doc = run(db, tmp_path, notify_toml(smtp.port), hook_port=hooks.port)
    assert (code, doc["sent"]) == (0, 5)


@pytest.mark.parametrize(
    ("touches", "subject_en", "line_en"),
    [
        # the sales touches are there: nothing at risk is a verdict the data can give
        ("2026-10-02T15:00:00Z", "[SLA] Team sdr, 2026-10-03: 1 overdue, 1 at risk, new MQLs: 1",
         "Rita: 1 overdue, 1 at risk"),
        # none: no kind of alert can be judged, so the counts are unknown, not 0
        (None, "[SLA] Team sdr, 2026-10-03: – overdue, – at risk, new MQLs: –",
         "No kind of alert can be judged: the sales_touches, nurture_enrollments tables have "
         "no rows"),
        # dated a year after the import (the run's moment): not "no rows" (re-audit (a), M1)
        ("2027-10-02T15:00:00Z", "[SLA] Team sdr, 2026-10-03: – overdue, – at risk, new MQLs: –",
         "No kind of alert can be judged: the sales_touches rows are all dated after the "
         "latest import (2026-10-03 09:00 UTC), so nothing is known"),
    ],
)  # fmt: skip
def test_the_daily_summary_says_unknown_when_no_alert_can_be_judged(touches, subject_en, line_en):
    import dataclasses
    from datetime import datetime

    from analytics.notify.messages import plan_messages

    t = Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=[{"lead_id": lead, "created_at": "2026-09-01T00:00:00Z", "source": "email",
                "owner_rep_id": "r1"} for lead in ("a", "b", "z")],
        lifecycle_events=[ev("a", "mql", "2026-10-02T15:00:00Z"),
                          ev("b", "mql", "2026-10-01T00:00:00Z")],
        sales_touches=[{"touch_id": "t", "lead_id": "z", "rep_id": "r1", "channel": "phone",
                        "occurred_at": touches, "outcome": "connected"}]
        if touches else [],
    )  # fmt: skip
    cfg = one_recipient_config(["daily_summary"], 'team = "sdr"\nemail = "sdr-lead@example.com"')
    at = datetime.fromisoformat(AS_OF.replace("Z", "+00:00"))
    (message,) = plan_messages(dataclasses.replace(t, loaded_at=at), cfg, as_of=at)
    assert message.subject == subject_en
    assert message.lines[0].startswith(line_en)


def test_a_refreshed_warehouse_plans_the_same_messages(db, tmp_path, smtp, hooks):
    """The results stored after an import (the MQL episodes among them) are read through
    the warehouse connection: planning must happen while it is open."""
    from analytics.precompute import refresh_results

    refresh_results(db, load_config(ROOT / "data" / "sla.toml"), scoring=False)
    code, doc = run(db, tmp_path, notify_toml(smtp.port), "--dry-run", hook_port=hooks.port)
    assert code == 0, doc
    assert [(m["kind"], m["recipient"]) for m in doc["messages"]] == [
        ("new_mql", "rep:r1:email"),
        ("at_risk_digest", "rep:r1:email"),
        ("at_risk_digest", "rep:r2:slack"),
        ("daily_summary", "team:sdr:email"),
        ("daily_summary", "team:ae:teams"),
    ]


def test_an_unreachable_smtp_server_is_named_with_its_keys():
    """A bare "ConnectionRefusedError: [Errno 111]" named neither the server nor where it
    is set."""
    import socket

    from analytics.config import NotifyEmail, NotifyRecipient
    from analytics.notify import deliver
    from analytics.notify.channels import EmailChannel
    from analytics.notify.messages import Message

    with socket.socket() as probe:  # a port nothing listens on once this closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    channel = EmailChannel(NotifyEmail(host="127.0.0.1", port=port, sender="sla@example.com"))
    message = Message("daily_summary", NotifyRecipient(team="sdr", email="lead@example.com"),
                      "en", "[SLA] Team sdr", ("line",), ())  # fmt: skip
    delivery = deliver(message, channel, retries=0, backoff_seconds=0)
    assert delivery.status == "failed"
    assert f"notify.email: cannot reach the SMTP server host = '127.0.0.1', port = {port}" in (
        delivery.error
    )


def test_the_daily_summary_names_unowned_leads_and_the_kinds_it_cannot_judge():
    """Lead c has no owner: its overdue MQL was in no digest and no summary; and without
    nurture enrolments a summary said "Nothing at risk" as if every kind were judged."""
    from datetime import datetime

    from analytics.notify.messages import plan_messages

    t = Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=[{"lead_id": "z", "created_at": "2026-09-01T00:00:00Z", "source": "email",
                "owner_rep_id": "r1"},
               {"lead_id": "c", "created_at": "2026-09-01T00:00:00Z", "source": "email"}],
        lifecycle_events=[ev("c", "mql", "2026-10-02T00:00:00Z")],
        sales_touches=[{"touch_id": "t", "lead_id": "z", "rep_id": "r1", "channel": "phone",
                        "occurred_at": "2026-10-02T15:00:00Z", "outcome": "connected"}],
    )  # fmt: skip
    cfg = one_recipient_config(
        ["daily_summary"], 'team = "sdr"\nemail = "sdr-lead@example.com"\nlanguage = "de"'
    )
    (message,) = plan_messages(t, cfg, as_of=datetime.fromisoformat("2026-10-03T09:00:00+00:00"))
    assert message.lines[:4] == (
        "Im Team ist nichts gefährdet.",
        "Leads ohne Team (ohne Zuständigen oder mit einem, den die Mitarbeitertabelle nicht "
        "kennt; für jedes Team): 1 überfällig, 0 gefährdet",
        # no recycled event: stale leads are not measurable (as in the review)
        "Keine Warnungen der Art „Droht liegenzubleiben“: auch die Monatsbesprechung kann sie "
        "nicht messen. Recycling braucht Vertriebskontakte und Lebenszyklus-Ereignisse der "
        "Phase recycled: beides importieren.",
        "Keine Warnungen der Art „Aufnahme ins Nurturing“: die Tabelle nurture_enrollments ist "
        "leer (importieren, um gewarnt zu werden)",
    )


def test_a_recipient_rep_id_that_names_no_rep_is_warned_about(db, tmp_path):
    """rep-3 for rep-03: that rep's alerts went to nobody, exit 0, not a word."""
    toml = notify_toml(9).replace('rep_id = "r1"', 'rep_id = "r9"', 1)
    config = tmp_path / "sla.toml"
    config.write_text(BASE + toml, encoding="utf-8")
    args = ["notify", "--db", str(db), "--config", str(config), "--as-of", AS_OF, "--dry-run"]
    result = CliRunner().invoke(app, args, env={"SLA_TEST_SLACK": "x", "SLA_TEST_TEAMS": "x"})
    assert result.exit_code == 0, result.output
    assert "notify.recipients[0].rep_id = 'r9': no rep with this id in the warehouse" in (
        " ".join(result.output.split())
    )


def test_an_alert_sent_is_not_sent_again_when_a_reimport_renumbers_its_episode(tmp_path):
    """A re-import that adds an earlier MQL cycle to lead b makes its open episode number 2:
    its overdue alert, sent as episode 1, was e-mailed a second time."""
    from datetime import datetime

    from analytics.notify import log_rows
    from analytics.notify.messages import plan_messages
    from analytics.notify.send import Delivery

    def tables(*events):
        return Tables.from_rows(
            reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
            leads=[{"lead_id": k, "created_at": "2026-09-01T00:00:00Z", "source": "email",
                    "owner_rep_id": "r1"} for k in ("b", "z")],
            lifecycle_events=list(events),
            sales_touches=[{"touch_id": "t", "lead_id": "z", "rep_id": "r1", "channel": "phone",
                            "occurred_at": "2026-10-02T15:00:00Z", "outcome": "connected"}],
        )  # fmt: skip

    cfg = one_recipient_config(["at_risk_digest"], 'rep_id = "r1"\nemail = "rita@example.com"')
    at = datetime.fromisoformat("2026-10-03T09:00:00+00:00")
    mql = ev("b", "mql", "2026-10-02T00:00:00Z")
    (first,) = plan_messages(tables(mql), cfg, as_of=at)
    assert [(i.lead_id, i.episode) for i in first.items] == [("b", 1)]
    db = tmp_path / "w.duckdb"
    record_notifications(db, log_rows([Delivery(first, "sent", 1)], as_of=at, run_id="r"))
    earlier = [ev("b", "mql", "2026-09-10T00:00:00Z"), ev("b", "recycled", "2026-09-20T00:00:00Z")]
    again = tables(*earlier, mql)
    assert plan_messages(again, cfg, as_of=at, sent=set()) != []  # now episode 2, due alike
    assert plan_messages(again, cfg, as_of=at, sent=sent_keys(db)) == []


def test_a_summary_says_when_the_touches_stopped_instead_of_an_all_clear():
    """Touches last recorded on 10 September: the summary of 3 October said "0 overdue,
    0 at risk ... Nothing at risk" (or, last round, called every later MQL overdue)."""
    from datetime import datetime

    from analytics.notify.messages import plan_messages

    t = Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=[{"lead_id": k, "created_at": "2026-09-01T00:00:00Z", "source": "email",
                "owner_rep_id": "r1"} for k in ("a", "z")],
        lifecycle_events=[ev("a", "mql", "2026-10-02T00:00:00Z")],
        sales_touches=[{"touch_id": "t", "lead_id": "z", "rep_id": "r1", "channel": "phone",
                        "occurred_at": "2026-09-10T15:00:00Z", "outcome": "connected"}],
    )  # fmt: skip
    cfg = one_recipient_config(
        ["daily_summary", "new_mql"], 'team = "sdr"\nemail = "sdr-lead@example.com"'
    )
    (summary,) = plan_messages(t, cfg, as_of=datetime.fromisoformat("2026-10-03T09:00:00+00:00"))
    assert summary.subject == "[SLA] Team sdr, 2026-10-03: – overdue, – at risk, new MQLs: –"
    assert summary.lines[0].startswith(
        "No first-touch, cadence or stale alerts: the last sales touch recorded is from 2026-09-10"
    )
