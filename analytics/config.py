"""The SLA config (``data/sla.toml``): loaded, validated, typed.

Every number the product judges against comes from here. :func:`load_config` reads a
TOML file and raises :class:`ConfigError` with one line per problem, each naming the
key, the value and what is allowed.

>>> cfg = load_config("data/sla.toml")
>>> cfg.handoff.first_touch_hours, cfg.cadence.min_attempts, cfg.funnel.window_days
(24.0, 6, 90)
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from analytics.schema import BUYER_STAGES, STAGES

if TYPE_CHECKING:
    from analytics.timeframe import MonthZones

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Direction = Literal["at_least", "at_most"]
BuyerStage = Literal["awareness", "consideration", "decision"]
#: The version of the coverage rules (analytics.coverage), part of the stored coverage's
#: key: a coverage stored by older rules (before reps named by their id counted as named)
#: is computed afresh, not read. Raise it whenever those rules change (4: the months of
#: deals won without an amount, ``gaps``; 5: rows dated after the latest import answer no
#: month, and a group whose rows all are says so, ``dated_after_import``).
COVERAGE_RULES = 5

#: The longest window of days or hours a config may set (ten years): longer ones are
#: typing errors (1000000000 days crashed `sla review` with an overflow).
MAX_DAYS = 3650
MAX_HOURS = MAX_DAYS * 24

PositiveFloat = Annotated[float, Field(gt=0)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
#: Dates and times are written as text in the config (``effective_from = "2026-01-01"``):
#: read from text, though every other value is strict (a number is no text, no boolean).
LaxDate = Annotated[date, Strict(False)]
LaxTime = Annotated[time, Strict(False)]
#: The longest trailing window of the reverse funnel, in months (three years): 600 was
#: accepted and read a history no warehouse holds.
MAX_RATE_WINDOW_MONTHS = 36

#: The metrics a KPI may name (keys of the review's KPI values).
KPI_METRICS: tuple[str, ...] = (
    "visitors",
    "leads",
    "mqls",
    "sals",
    "sqls",
    "opportunities",
    "deals_won",
    "won_revenue",
    "visitor_to_lead",
    "lead_to_mql",
    "mql_to_sql",
    "sql_to_opportunity",
    "opportunity_to_won",
    "mql_attainment",
    "mql_rejection_rate",
    "handoff_compliance",
    "median_hours_to_first_touch",
    "cadence_compliance",
    "attempts_per_mql",
    "premature_recycles",
    "stale_leads",
    "recycled_enrolled_in_time",
    "remql_rate",
)

#: What a KPI metric's value is: a share of a whole (between 0 and 1, shown in %), a count,
#: an amount of money, hours, or another number (attempts per MQL). The pack's
#: :func:`analytics.pack.formatting.metric_kind` shows them so (a test holds both alike).
MetricKind = Literal["rate", "count", "money", "hours", "number"]
_COUNT_METRICS = (
    "visitors", "leads", "mqls", "sals", "sqls", "opportunities", "deals_won",
    "premature_recycles", "stale_leads",
)  # fmt: skip
KPI_KINDS: dict[str, MetricKind] = {
    metric: "count"
    if metric in _COUNT_METRICS
    else {"won_revenue": "money", "median_hours_to_first_touch": "hours"}.get(
        metric, "number" if metric == "attempts_per_mql" else "rate"
    )
    for metric in KPI_METRICS
}


def target_problem(metric: str, target: float, direction: str | None = None) -> str | None:
    """Why ``target`` cannot be a target of ``metric`` (None: it can).

    A share is between 0 and 1 (90 % is written 0.90: a target of 90 read 9,000 %); no
    target is negative; "at least 0" is always met. "At most 0" is a target for a count
    or a share (no stale lead, no rejected MQL), not for hours, money or attempts.

    >>> target_problem("handoff_compliance", 90)
    'a share: its target is between 0 and 1 (90 % is written 0.9)'
    >>> target_problem("mqls", 0, "at_least"), target_problem("stale_leads", 0, "at_most")
    ("'at least 0' is always met; give the number the team commits to", None)
    """
    kind = KPI_KINDS.get(metric, "number")
    if target < 0:
        return "a target cannot be negative"
    if kind == "rate" and target > 1:
        return f"a share: its target is between 0 and 1 ({target:g} % is written {target / 100:g})"
    if target == 0 and direction == "at_least":
        return "'at least 0' is always met; give the number the team commits to"
    if target == 0 and direction == "at_most" and kind not in ("count", "rate"):
        return "'at most 0' is never met; give the most the team accepts"
    return None


class _Model(BaseModel):
    # strict: a number is a number (``first_touch_hours = true`` was read as 1 h and
    # ``mql_threshold = "60"`` as 60), a yes / no is true or false; dates stay text (LaxDate)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


#: The languages a text of the config may be written in: English under its key, every
#: other under the key with the language as suffix (``label`` and ``label_de``).
TEXT_LANGS: tuple[str, ...] = ("en", "de")


def _check_text(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("empty text; leave the key out to show the English text")
    if isinstance(value, list) and any(isinstance(v, str) and not v.strip() for v in value):
        raise ValueError("empty text in the list; leave the key out to show the English text")
    return value


class _Texts(_Model):
    """A config table with texts for people: each text key ``k`` may have a German ``k_de``."""

    #: The text keys of this table (each has an optional ``<key>_de``).
    TEXT_KEYS: ClassVar[tuple[str, ...]] = ()

    def text(self, key: str, lang: str = "en") -> Any:
        """The text ``key`` in ``lang``; the English one when no translation is given.

        >>> Stage(label="Lead", label_de="Lead (dt.)", definition="x").text("label", "de")
        'Lead (dt.)'
        >>> Stage(label="Lead", definition="x").text("definition", "de")
        'x'
        """
        if key not in self.TEXT_KEYS:
            raise KeyError(f"{key!r} is no text of {type(self).__name__}; texts: {self.TEXT_KEYS}")
        if lang != "en":
            translated = getattr(self, f"{key}_{lang}", None)
            if translated:
                return translated
        return getattr(self, key)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name like 'Europe/Berlin'"
        ) from exc
    return value


class SlaMeta(_Texts):
    TEXT_KEYS: ClassVar[tuple[str, ...]] = ("name", "owners")

    name: str
    name_de: str | None = None
    version: str
    effective_from: LaxDate
    owners: list[str] = []
    owners_de: list[str] | None = None
    review_cadence: Literal["monthly"] = "monthly"

    _texts = field_validator("name_de", "owners_de")(_check_text)

    @field_validator("version")
    @classmethod
    def _version_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "empty version label; name the version (e.g. '2026.3'): reviews, packs and "
                "`sla config diff` refer to it"
            )
        return value


class Reporting(_Model):
    timezone: str = "UTC"
    currency: str = "EUR"

    _tz = field_validator("timezone")(_check_timezone)


class Stage(_Texts):
    TEXT_KEYS: ClassVar[tuple[str, ...]] = ("label", "definition")

    label: str
    label_de: str | None = None
    definition: str
    definition_de: str | None = None
    aliases: list[str] = []

    _texts = field_validator("label_de", "definition_de")(_check_text)


class Funnel(_Model):
    window_days: Annotated[int, Field(gt=0, le=MAX_DAYS)] = 90


class InterestRules(_Model):
    points: dict[str, float] = {}
    caps: dict[str, PositiveFloat] = {}


class Scoring(_Model):
    mql_threshold: float = Field(60, ge=0)
    #: The threshold recommendation lowers the threshold only when each extra MQL brings at
    #: least this many extra SQLs (observed), and raises it when dropped MQLs bring fewer.
    min_extra_sqls_per_extra_mql: float = Field(0.10, gt=0, le=1)
    decay_half_life_days: Annotated[float, Field(gt=0, le=MAX_DAYS)] = 30
    fit_cap: PositiveFloat = 50
    interest_cap: PositiveFloat = 60
    fit_grades: list[float] = [35, 25, 15]
    interest_grades: list[float] = [40, 25, 10]
    fit: dict[
        Literal["industry", "size_band", "country", "seniority", "role"], dict[str, float]
    ] = {}
    interest: InterestRules = InterestRules()

    @field_validator("fit_grades", "interest_grades")
    @classmethod
    def _three_descending(cls, value: list[float]) -> list[float]:
        if len(value) != 3 or sorted(value, reverse=True) != value:
            raise ValueError(
                f"{value} must be three cut-offs in descending order, e.g. [35, 25, 15]"
            )
        return value

    @model_validator(mode="after")
    def _threshold_reachable(self) -> Scoring:
        highest = self.fit_cap + self.interest_cap
        if self.mql_threshold > highest:
            raise ValueError(
                f"scoring.mql_threshold = {self.mql_threshold:g}: no lead can reach it; a score "
                f"is at most fit_cap + interest_cap = {self.fit_cap:g} + "
                f"{self.interest_cap:g} = {highest:g}"
            )
        return self


class SizeBand(_Model):
    label: str
    min_employees: NonNegativeInt


class Segments(_Model):
    size_bands: list[SizeBand] = [
        SizeBand(label="1-49", min_employees=0),
        SizeBand(label="50-249", min_employees=50),
        SizeBand(label="250-999", min_employees=250),
        SizeBand(label="1000+", min_employees=1000),
    ]

    @field_validator("size_bands")
    @classmethod
    def _ascending(cls, bands: list[SizeBand]) -> list[SizeBand]:
        mins = [b.min_employees for b in bands]
        if not bands or mins[0] != 0 or mins != sorted(set(mins)):
            raise ValueError(f"min_employees {mins} must start at 0 and strictly increase")
        return bands


class Calendar(_Model):
    timezone: str = "Europe/Berlin"
    working_days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    start: LaxTime = time(8)
    end: LaxTime = time(18)
    holidays_country: str | None = None
    extra_holidays: list[LaxDate] = []

    _tz = field_validator("timezone")(_check_timezone)

    @model_validator(mode="after")
    def _start_before_end(self) -> Calendar:
        if self.start >= self.end:
            raise ValueError(f"start {self.start} must be before end {self.end}")
        return self


#: The conditions a handoff line may set, from the most to the least telling.
LINE_CONDITIONS: tuple[str, ...] = ("trigger", "source", "country", "team", "size_band")


class HandoffLine(_Texts):
    """A first-touch line for some MQLs: by trigger and / or segment (``[[handoff.lines]]``).

    An episode is judged against the line whose conditions all hold and that sets the
    most of them; ``handoff.first_touch_hours`` is the line of every other episode.
    """

    TEXT_KEYS: ClassVar[tuple[str, ...]] = ("name",)

    name: str
    name_de: str | None = None
    trigger: str | None = None
    source: str | None = None
    country: str | None = None
    team: str | None = None
    size_band: str | None = None
    first_touch_hours: Annotated[float, Field(gt=0, le=MAX_HOURS)]
    #: Count business hours on this line; default: ``handoff.business_hours``.
    business_hours: bool | None = None

    _texts = field_validator("name_de")(_check_text)

    @property
    def conditions(self) -> dict[str, str]:
        """The conditions this line sets (condition -> value)."""
        return {k: getattr(self, k) for k in LINE_CONDITIONS if getattr(self, k) is not None}


class Handoff(_Model):
    first_touch_hours: Annotated[float, Field(gt=0, le=MAX_HOURS)] = 24
    business_hours: bool = False
    triggers: list[str] = ["score_threshold", "demo_request", "contact_request"]
    calendar: Calendar = Calendar()
    lines: list[HandoffLine] = []

    @model_validator(mode="after")
    def _lines_valid(self) -> Handoff:
        from analytics.schema import TEAMS

        problems = []
        seen: dict[tuple[tuple[str, str], ...], int] = {}
        for i, line in enumerate(self.lines):
            key = f"handoff.lines[{i}]"
            conditions = line.conditions
            if not conditions:
                problems.append(
                    f"{key}: sets no condition; give at least one of {', '.join(LINE_CONDITIONS)} "
                    "(the line of every other MQL is handoff.first_touch_hours)"
                )
            if line.trigger is not None and line.trigger not in self.triggers:
                problems.append(
                    f"{key}.trigger = {line.trigger!r}: not a trigger of handoff.triggers "
                    f"({', '.join(self.triggers)})"
                )
            if line.team is not None and line.team not in TEAMS:
                problems.append(f"{key}.team = {line.team!r}: allowed: {', '.join(TEAMS)}")
            same = tuple(sorted(conditions.items()))
            if conditions and same in seen:
                problems.append(
                    f"{key}: the same conditions as handoff.lines[{seen[same]}]; "
                    "one line per combination"
                )
            seen.setdefault(same, i)
        if problems:
            raise ValueError("\n".join(problems))
        return self


class Recycle(_Model):
    after_attempts: PositiveInt = 6
    grace_days: Annotated[float, Field(gt=0, le=MAX_DAYS)] = 7
    enroll_within_days: Annotated[float, Field(gt=0, le=MAX_DAYS)] = 2
    remql_window_days: Annotated[int, Field(gt=0, le=MAX_DAYS)] = 180
    track: str | None = None


class Cadence(_Model):
    min_attempts: PositiveInt = 6
    window_days: Annotated[float, Field(gt=0, le=MAX_DAYS)] = 14
    min_gap_hours: float = Field(4, ge=0, le=MAX_HOURS)
    channels: list[Literal["phone", "email", "video", "social"]] = [
        "phone",
        "email",
        "video",
        "social",
    ]


#: The columns whose codes the config can name for people (``[names.<column>]``).
NameColumn = Literal[
    "source", "team", "industry", "country", "seniority", "role", "reason", "channel",
    "activity", "size_band",
]  # fmt: skip


class DisplayName(_Texts):
    """How people call a code of the data: ``label`` and its German ``label_de``."""

    TEXT_KEYS: ClassVar[tuple[str, ...]] = ("label",)

    label: str
    label_de: str | None = None

    _texts = field_validator("label", "label_de")(_check_text)


class NurtureTrack(_Texts):
    TEXT_KEYS: ClassVar[tuple[str, ...]] = ("name", "label", "description")

    #: The track's name in the data (the key of its enrollments); ``label`` and ``label_de``
    #: (or ``name_de``) are only shown.
    name: str
    name_de: str | None = None
    label: str | None = None
    label_de: str | None = None
    buyer_stage: BuyerStage
    description: str = ""
    description_de: str | None = None
    sales_can_trigger: bool = False

    _texts = field_validator("name_de", "label", "label_de", "description_de")(_check_text)


class Nurture(_Model):
    tracks: list[NurtureTrack] = []


class SegmentTarget(_Model):
    """A segment's own monthly targets (``[[goals.segments]]``): without one, a segment's
    volumes, counts of leads and goal pacing are not judged (spec/coverage.md)."""

    by: Literal[
        "source", "campaign", "country", "seniority", "role", "owner", "industry", "size_band"
    ]
    value: str
    revenue_target_monthly: PositiveFloat | None = None
    mql_target_monthly: PositiveFloat | None = None
    #: Further KPIs' targets for the segment, by metric (e.g. ``sqls = 40``, ``stale_leads = 3``).
    kpis: dict[str, float] = {}

    @field_validator("kpis")
    @classmethod
    def _known_metrics(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(KPI_METRICS))
        if unknown:
            raise ValueError(f"unknown metric(s) {unknown}; allowed: {', '.join(KPI_METRICS)}")
        problems = [
            f"{metric} = {target:g}: {why}"
            for metric, target in value.items()
            if (why := target_problem(metric, target)) is not None
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return value


class Goals(_Model):
    revenue_target_monthly: PositiveFloat = 1_000_000
    mql_target_monthly: PositiveFloat = 700
    rate_window_months: Annotated[int, Field(gt=0, le=MAX_RATE_WINDOW_MONTHS)] = 6
    segments: list[SegmentTarget] = []

    def for_segment(self, segment: dict | None) -> SegmentTarget | None:
        """The targets of a one-key, one-value segment filter (None: none configured)."""
        if not segment or len(segment) != 1:
            return None
        ((by, value),) = segment.items()
        if isinstance(value, list | tuple | set):
            if len(value) != 1:
                return None
            (value,) = value
        return next((s for s in self.segments if s.by == by and s.value == str(value)), None)


class Kpi(_Texts):
    TEXT_KEYS: ClassVar[tuple[str, ...]] = ("label",)

    metric: str
    label: str
    label_de: str | None = None
    target: float
    direction: Direction

    _texts = field_validator("label_de")(_check_text)

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        if value not in KPI_METRICS:
            raise ValueError(f"unknown metric {value!r}; allowed: {', '.join(KPI_METRICS)}")
        return value


class Kpis(_Model):
    at_risk_margin: float = Field(0.10, ge=0, le=1)
    marketing: list[Kpi] = []
    sales: list[Kpi] = []

    @model_validator(mode="after")
    def _one_per_metric_and_reachable(self) -> Kpis:
        problems = []
        for team in ("marketing", "sales"):
            first: dict[str, int] = {}
            for i, kpi in enumerate(getattr(self, team)):
                key = f"kpis.{team}[{i}]"
                if kpi.metric in first:
                    # two would share one key in every diff, table and verdict
                    problems.append(
                        f"{key}.metric = {kpi.metric!r}: {team} has a KPI on it already "
                        f"(kpis.{team}[{first[kpi.metric]}]); one KPI per team and metric"
                    )
                first.setdefault(kpi.metric, i)
                if (why := target_problem(kpi.metric, kpi.target, kpi.direction)) is not None:
                    problems.append(f"{key}.target = {kpi.target:g}: {why}")
        if problems:
            raise ValueError("\n".join(problems))
        return self


#: What ``sla notify`` can send.
NotifyKind = Literal["new_mql", "at_risk_digest", "daily_summary"]
NOTIFY_KINDS: tuple[str, ...] = ("new_mql", "at_risk_digest", "daily_summary")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_env_name(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.match(value):
        hint = (
            " (a URL or secret never goes in the config: put it in an environment variable "
            "and name that variable here)"
            if "://" in value or "@" in value
            else ""
        )
        raise ValueError(f"{value!r} is not an environment variable name{hint}")
    return value


#: A plain e-mail address: a local part, "@" and a domain with a dot (no display name,
#: no spaces, no brackets): what an SMTP server accepts as a recipient.
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+$")


def _check_address(value: str | None) -> str | None:
    """``value`` when it is a plain e-mail address (:data:`_ADDRESS`), else a ValueError.

    >>> _check_address("rep-03@example.com")
    'rep-03@example.com'
    >>> _check_address("rep-03@")
    Traceback (most recent call last):
    ...
    ValueError: 'rep-03@' is not an e-mail address (name@example.com)
    """
    if value is not None and not _ADDRESS.match(value):
        raise ValueError(f"{value!r} is not an e-mail address (name@example.com)")
    return value


class NotifyEmail(_Model):
    """The SMTP server ``sla notify`` sends e-mail through."""

    host: str = "localhost"
    port: int = Field(25, gt=0, lt=65536)
    starttls: bool = False
    sender: str
    #: Environment variables holding the SMTP login (none: no login).
    username_env: str | None = None
    password_env: str | None = None

    _env = field_validator("username_env", "password_env")(_check_env_name)
    _sender = field_validator("sender")(_check_address)


class NotifyRecipient(_Model):
    """One recipient: a rep (new MQLs and the at-risk digest of their leads) or a team lead
    (the team's daily summary), by e-mail or a Teams / Slack incoming webhook."""

    rep_id: str | None = None
    team: str | None = None
    email: str | None = None
    webhook: Literal["teams", "slack"] | None = None
    #: The environment variable holding the webhook's URL (never the URL itself).
    url_env: str | None = None
    language: Literal["en", "de"] = "en"

    _env = field_validator("url_env")(_check_env_name)
    _email = field_validator("email")(_check_address)

    @model_validator(mode="after")
    def _one_of_each(self) -> NotifyRecipient:
        from analytics.schema import TEAMS

        if (self.rep_id is None) == (self.team is None):
            raise ValueError("give exactly one of rep_id (a rep) or team (a team lead)")
        if self.team is not None and self.team not in TEAMS:
            raise ValueError(f"team {self.team!r}: allowed: {', '.join(TEAMS)}")
        if (self.email is None) == (self.webhook is None):
            raise ValueError("give exactly one of email or webhook (teams or slack)")
        if self.webhook is not None and self.url_env is None:
            raise ValueError("a webhook needs url_env: the environment variable with its URL")
        return self

    @property
    def key(self) -> str:
        """The recipient in the send log: who and how, without any address.

        >>> NotifyRecipient(rep_id="r1", email="a@example.com").key
        'rep:r1:email'
        """
        who = f"rep:{self.rep_id}" if self.rep_id is not None else f"team:{self.team}"
        return f"{who}:{self.webhook or 'email'}"


class Notify(_Model):
    """``[notify]``: what ``sla notify`` sends, to whom and how."""

    send: list[NotifyKind] = list(NOTIFY_KINDS)
    #: Horizons of the at-risk digest (as ``sla alerts --within`` / ``--within-days``).
    within_hours: float = Field(8, ge=0, le=MAX_HOURS)
    within_days: float = Field(3, ge=0, le=MAX_DAYS)
    #: A new-MQL handoff is sent for untouched MQLs at most this many hours old.
    new_mql_hours: Annotated[float, Field(gt=0, le=MAX_HOURS)] = 24
    #: A failed send is tried again this many times, waiting backoff_seconds, then twice that ...
    retries: NonNegativeInt = 2
    backoff_seconds: float = Field(2, ge=0)
    email: NotifyEmail | None = None
    recipients: list[NotifyRecipient] = []

    @model_validator(mode="after")
    def _email_server(self) -> Notify:
        if self.email is None and any(r.email for r in self.recipients):
            raise ValueError("recipients with an email need [notify.email] (the SMTP server)")
        keys = [r.key for r in self.recipients]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"recipients {twice} are listed twice")
        return self


#: An account entry of ``[access]``: an e-mail address or an OpenID Connect subject.
_ACCOUNT = re.compile(r"\S+")


class Access(_Model):
    """Who may use the shared app once a login is configured (``.streamlit/secrets.toml``).

    Entries are e-mail addresses (compared without case) or OpenID Connect subjects
    (``sub``, compared exactly). ``admins`` see every page and may import; ``viewers``
    see every page and change nothing; an empty ``viewers`` admits everyone the
    identity provider lets log in. Not part of the agreement: never stored in the
    warehouse, never diffed between SLA versions.

    >>> Access(admins=["Erika@Example.org"]).admins
    ['erika@example.org']
    """

    admins: list[str] = []
    viewers: list[str] = []

    @field_validator("admins", "viewers")
    @classmethod
    def _accounts(cls, entries: list[str]) -> list[str]:
        problems = [e for e in entries if not _ACCOUNT.fullmatch(e)]
        if problems:
            raise ValueError(
                f"{problems} are no accounts; allowed: e-mail addresses or OpenID Connect "
                "subjects, one per string, without spaces"
            )
        return [e.lower() if "@" in e else e for e in entries]


class Privacy(_Model):
    """Where the salt of the personal-data hashes is kept (docs/import-formats.md, "Salt").

    ``salt_file``: a file outside the data folder, so that a copy of the data folder does
    not carry the salt with the hashes; created on first use with a random salt (mode
    0600); ``~`` is expanded. The environment variable ``SLA_HASH_SALT`` wins over it.
    Not part of the agreement: never stored in the warehouse, never diffed.

    >>> Privacy(salt_file="~/.config/sla/salt").salt_file
    '~/.config/sla/salt'
    """

    salt_file: str | None = None


class SlaConfig(_Model):
    """The whole SLA. Sections mirror ``data/sla.toml``."""

    sla: SlaMeta
    reporting: Reporting = Reporting()
    stages: dict[str, Stage]
    funnel: Funnel = Funnel()
    scoring: Scoring = Scoring()
    segments: Segments = Segments()
    handoff: Handoff = Handoff()
    recycle: Recycle = Recycle()
    cadence: Cadence = Cadence()
    nurture: Nurture = Nurture()
    goals: Goals = Goals()
    kpis: Kpis = Kpis()
    notify: Notify = Notify()
    #: Further allowed values of enum columns, by column name (e.g. ``source = ["webinar"]``).
    enums: dict[str, list[str]] = {}
    #: Who may use the shared app (not part of the agreement: never stored, never diffed).
    access: Access = Access()
    #: Display names of the data's codes, by column (``[names.source] paid_search = ...``).
    names: dict[NameColumn, dict[str, DisplayName]] = {}
    #: Where the salt of personal-data hashes lives (not part of the agreement either).
    privacy: Privacy = Privacy()

    #: Where it was read from and its content hash (set by :func:`load_config`).
    source: str = ""
    content_hash: str = ""
    #: Where the months it judges start and end when recorded versions change the
    #: reporting time zone (:meth:`with_month_zones`); not part of the agreement.
    _month_zones: MonthZones | None = PrivateAttr(default=None)

    @field_validator("stages")
    @classmethod
    def _stages_known(cls, stages: dict[str, Stage]) -> dict[str, Stage]:
        missing = [s for s in STAGES if s not in stages]
        unknown = [s for s in stages if s not in STAGES]
        problems = []
        if unknown:
            problems.append(
                f"unknown stage(s) {unknown}; allowed: {list(STAGES)} "
                "(other names go in a stage's aliases)"
            )
        if missing:
            problems.append(
                f"missing stage(s) {missing}; every stage of {list(STAGES)} needs a definition"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return stages

    @field_validator("enums")
    @classmethod
    def _enum_columns_known(cls, enums: dict[str, list[str]]) -> dict[str, list[str]]:
        from analytics.schema import TABLES

        enum_columns = sorted(
            {c.name for t in TABLES.values() for c in t.columns if c.kind == "enum"}
        )
        unknown = [name for name in enums if name not in enum_columns]
        if unknown:
            raise ValueError(f"{unknown} are not enum columns; allowed: {', '.join(enum_columns)}")
        return enums

    @model_validator(mode="after")
    def _cross_checks(self) -> SlaConfig:
        names = [t.name for t in self.nurture.tracks]
        if self.recycle.track is not None and self.recycle.track not in names:
            raise ValueError(
                f"recycle.track {self.recycle.track!r} is not a nurture track; known: {names}"
            )
        bands = [b.label for b in self.segments.size_bands]
        for i, line in enumerate(self.handoff.lines):
            if line.size_band is not None and line.size_band not in bands:
                raise ValueError(
                    f"handoff.lines[{i}].size_band = {line.size_band!r}: not a band of "
                    f"segments.size_bands ({', '.join(bands)})"
                )
        country = self.handoff.calendar.holidays_country
        business = self.handoff.business_hours or any(
            line.business_hours for line in self.handoff.lines
        )
        if country is not None and business:  # checked where it counts: the package loads slowly
            from analytics.business_hours import check_holidays_country

            check_holidays_country(country)
        return self

    # -- conveniences used across the library ------------------------------------
    @property
    def month_zones(self) -> MonthZones:
        """Where each month starts and ends (:class:`~analytics.timeframe.MonthZones`):
        what every function that cuts months with this config uses. Every month in
        ``reporting.timezone``, unless the SLA history cuts months in other zones too
        (:func:`analytics.sla_versions.config_for_month` gives a version the zones of the
        recorded versions: a month ends where the next starts, in that month's zone).

        >>> cfg = load_config("data/sla.toml")
        >>> cfg.month_zones.zone, cfg.month_zones.single
        ('UTC', True)
        """
        from analytics.timeframe import MonthZones

        return self._month_zones or MonthZones(self.reporting.timezone)

    def with_month_zones(self, zones: MonthZones) -> SlaConfig:
        """A copy of this config that cuts months by ``zones`` (the same agreement: its
        settings, source and content hash are this config's).

        >>> from analytics.timeframe import MonthZones
        >>> cfg = load_config("data/sla.toml")
        >>> zoned = cfg.with_month_zones(MonthZones("UTC", (("2026-10", "Asia/Tokyo"),)))
        >>> zoned.month_zones.zone_of("2026-10"), zoned.content_hash == cfg.content_hash
        ('Asia/Tokyo', True)
        """
        copy = self.model_copy()
        copy._month_zones = (
            None if zones.single and zones.zone == self.reporting.timezone else zones
        )
        return copy

    @property
    def coverage_key(self) -> str:
        """The key of what the coverage of data reads from this config (the stored
        coverage is read only for a config with the same key): the reporting time zone
        (the days a span starts and ends on), the months' zones when the SLA history cuts
        months in several (:attr:`month_zones`: the months a deal won without an amount
        leaves unknown) and each scored fit attribute with its scored values (a lead has
        fit when one is set).

        >>> cfg = load_config("data/sla.toml")
        >>> len(cfg.coverage_key), cfg.coverage_key == cfg.model_copy().coverage_key
        (16, True)
        """
        parts: dict[str, Any] = {
            "rules": COVERAGE_RULES,
            "timezone": self.reporting.timezone,
            "fit": {column: sorted(map(str, vals)) for column, vals in self.scoring.fit.items()},
        }
        if self._month_zones is not None:  # one zone: the key it always had
            parts["months"] = [self._month_zones.zone, *map(list, self._month_zones.changes)]
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def features_key(self) -> str:
        """The key of what the scoring model's features read from this config: the rule
        score's points (fit and interest points, caps, decay) and the size bands. A saved
        model records it (its card's ``features_key``): with another key its ``score``,
        ``fit_points``, ``interest_points`` and ``size_band`` mean something else now. The
        MQL threshold and the grades are not part of it (no feature reads them).

        >>> cfg = load_config("data/sla.toml")
        >>> lowered = cfg.model_copy(update={"scoring": cfg.scoring.model_copy(
        ...     update={"mql_threshold": 50})})
        >>> len(cfg.features_key), lowered.features_key == cfg.features_key
        (16, True)
        """
        parts = {
            "scoring": self.scoring.model_dump(
                mode="json",
                include={"decay_half_life_days", "fit_cap", "interest_cap", "fit", "interest"},
            ),
            "size_bands": self.segments.model_dump(mode="json")["size_bands"],
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def tracks_by_name(self) -> dict[str, NurtureTrack]:
        return {t.name: t for t in self.nurture.tracks}

    @property
    def stage_aliases(self) -> dict[str, str]:
        """Alias -> canonical stage name (e.g. ``accepted`` -> ``sal``)."""
        return {alias.lower(): name for name, st in self.stages.items() for alias in st.aliases}

    @property
    def all_kpis(self) -> list[tuple[str, Kpi]]:
        """``(team, kpi)`` for both teams, marketing first."""
        return [("marketing", k) for k in self.kpis.marketing] + [
            ("sales", k) for k in self.kpis.sales
        ]

    def kpi(self, team: str, metric: str) -> Kpi | None:
        """The KPI of ``team`` on ``metric`` (None when the team has none)."""
        return next((k for t, k in self.all_kpis if t == team and k.metric == metric), None)

    def kpi_label(self, team: str, metric: str, lang: str = "en") -> str | None:
        """The KPI's label in ``lang`` (English when not translated); None without the KPI.

        >>> load_config("data/sla.toml").kpi_label("sales", "cadence_compliance", "de")
        'Kadenz eingehalten'
        """
        kpi = self.kpi(team, metric)
        return None if kpi is None else kpi.text("label", lang)

    def track_name(self, track: str, lang: str = "en") -> str:
        """A nurture track's name in ``lang``: its ``label`` (``label_de``, else ``name_de``);
        a track the config does not know as it is.

        >>> load_config("data/sla.toml").track_name("recycled-reengagement")
        'Re-engaging recycled leads'
        """
        known = self.tracks_by_name.get(track)
        if known is None:
            return track
        if lang == "de" and (known.label_de or known.name_de):
            return known.label_de or known.name_de  # type: ignore[return-value]
        return known.label or known.name

    def display_name(self, column: str, code: str | None, lang: str = "en") -> str:
        """A code of the data in words for people: the config's ``[names.<column>]`` entry
        (``label``, ``label_de``), else the library's word for it, else the code with spaces
        and a capital (``paid_search`` -> ``Paid search``); '–' for None.

        >>> cfg = load_config("data/sla.toml")
        >>> cfg.display_name("source", "paid_search", "de"), cfg.display_name("team", "sdr")
        ('Bezahlte Suche', 'SDR')
        >>> cfg.display_name("industry", "space_mining"), cfg.display_name("reason", None)
        ('Space mining', '–')
        """
        if code is None:
            return "–"
        named = self.names.get(column, {}).get(code)
        if named is not None:
            return named.text("label", lang)
        from analytics.texts import TEXTS, render

        key = f"{column}.{code}"
        word = render(key, lang=lang) if key in TEXTS else code.replace("_", " ")
        return word[:1].upper() + word[1:]


class ConfigError(Exception):
    """A config that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


def _format_location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        else:
            parts.append(str(item))
    return ".".join(parts)


def _lookup(raw: Any, loc: tuple[Any, ...]) -> Any:
    value = raw
    for item in loc:
        try:
            value = value[item]
        except (KeyError, IndexError, TypeError):
            return None
    return value


_SUFFIXED = re.compile(r"^(?P<key>\w+?)_(?P<lang>[a-z]{2})$")

#: Every text key of the config (the keys that take a ``_de`` variant).
TEXT_KEYS: tuple[str, ...] = tuple(
    sorted(
        {
            k
            for m in (SlaMeta, Stage, NurtureTrack, Kpi, HandoffLine, DisplayName)
            for k in m.TEXT_KEYS
        }
    )
)


def _unknown_key(loc: tuple[Any, ...]) -> str:
    """Why a key is not allowed: a misspelling, or a translation the config cannot take.

    >>> _unknown_key(("stages", "mql", "label_fr"))
    "no language 'fr': a text is English under its key and German under 'label_de'"
    >>> _unknown_key(("kpis", "sales", 0, "target_de"))
    'target is not a text: only definition, description, label, name, owners take a German variant'
    """
    name = str(loc[-1])
    found = _SUFFIXED.match(name)
    if found and found["key"] in TEXT_KEYS and found["lang"] not in TEXT_LANGS:
        return (
            f"no language {found['lang']!r}: a text is English under its key and German "
            f"under '{found['key']}_de'"
        )
    if found and found["lang"] == "de" and found["key"] not in TEXT_KEYS:
        return f"{found['key']} is not a text: only {', '.join(TEXT_KEYS)} take a German variant"
    return "unknown key (check the spelling; see data/sla.toml for the known keys)"


#: Pydantic's error types of a value that is not the number asked for.
_NOT_A_NUMBER = frozenset({"float_type", "int_type"})


def _not_a_number(value: Any, message: str) -> str:
    """What a strict number field says of text or a yes / no (read as 60 and 1 before).

    >>> _not_a_number(True, "Input should be a valid number")
    'a number, not true or false'
    >>> _not_a_number("60", "Input should be a valid number")
    'a number, not text: write it without quotes'
    >>> _not_a_number(5.5, "Input should be a valid integer")
    'a whole number (e.g. 6)'
    """
    if isinstance(value, bool):
        return "a number, not true or false"
    if isinstance(value, str):
        return "a number, not text: write it without quotes"
    if isinstance(value, float):  # an int field
        return "a whole number (e.g. 6)"
    return message


def _toml(value: Any) -> str:
    """A value as the config writes it: ``true``, ``'60'``, ``24``.

    >>> _toml(True), _toml("60"), _toml(24)
    ('true', "'60'", '24')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _names_own_key(message: str, loc: tuple[Any, ...]) -> bool:
    """Whether a check across keys wrote its message with the full key(s) it is about
    (``scoring.mql_threshold = 500: ...``): then the message is the line.

    >>> _names_own_key("scoring.mql_threshold = 500: x", ("scoring",))
    True
    >>> _names_own_key("recycle.track 'x' is not a nurture track", ())
    True
    >>> _names_own_key("must be before end", ("handoff", "calendar"))
    False
    """
    key = _format_location(loc)
    first = message.split(" ", 1)[0]
    if not key:
        return "." in first and first.split(".", 1)[0] in SlaConfig.model_fields
    return first.startswith((f"{key}.", f"{key}["))


def parse_config(text: str, *, source: str = "<string>") -> SlaConfig:
    """Parse and validate SLA config TOML text.

    Raises
    ------
    ConfigError
        One line per problem: ``key = value: what is allowed``.

    >>> parse_config('[sla]\\nname="x"\\nversion="1"\\neffective_from=2026-01-01\\n[stages]')
    Traceback (most recent call last):
    ...
    analytics.config.ConfigError: <string>: stages: missing stage(s) [...]; every stage ...
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, [f"not valid TOML: {exc}"]) from None
    try:
        config = SlaConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(
                p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-after"))
            )
            key = _format_location(loc) or "(top level)"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] in _NOT_A_NUMBER:
                message = _not_a_number(err["input"], message)
            if err["type"] == "value_error" and _names_own_key(message, loc):
                # a check across keys names the keys itself: one line per problem
                problems.extend(message.splitlines())
            elif err["type"] == "extra_forbidden":
                problems.append(f"{key}: {_unknown_key(loc)}")
            elif err["type"] == "missing":
                problems.append(f"{key}: required key is missing")
            else:
                value = _lookup(raw, loc)
                shown = (
                    f" = {_toml(value)}"
                    if value is not None and not isinstance(value, dict | list)
                    else ""
                )
                problems.append(f"{key}{shown}: {message}")
        raise ConfigError(source, problems) from None
    digest = hashlib.sha256(text.encode()).hexdigest()
    return config.model_copy(update={"source": source, "content_hash": digest})


def load_config(path: str | Path) -> SlaConfig:
    """Read and validate an SLA config file (see :func:`parse_config`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot read: {exc}"]) from None
    return parse_config(text, source=str(path))


def read_access(path: str | Path) -> Access | None:
    r"""The ``[access]`` section of a config file alone, or None when the file or that
    section cannot be read or is not valid: who may see the rest of a config that is not
    valid (its path and problems are for admins only).

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "sla.toml"
    >>> _ = f.write_text('[access]\nadmins = ["erika@example.org"]\n[sla]\nname = 5\n')
    >>> read_access(f).admins, read_access(f.with_name("none.toml"))
    (['erika@example.org'], None)
    """
    try:
        section = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("access", {})
        return Access.model_validate(section)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValidationError, TypeError):
        return None


__all__ = [
    "BUYER_STAGES",
    "KPI_METRICS",
    "LINE_CONDITIONS",
    "NOTIFY_KINDS",
    "TEXT_KEYS",
    "TEXT_LANGS",
    "ConfigError",
    "HandoffLine",
    "Notify",
    "NotifyEmail",
    "NotifyRecipient",
    "SlaConfig",
    "load_config",
    "parse_config",
    "read_access",
]
