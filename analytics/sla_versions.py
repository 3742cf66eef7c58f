"""Which SLA version judges a day, a month or a moment.

Pure functions over :class:`~analytics.config.SlaConfig` objects (the warehouse keeps the
versions: :mod:`analytics.warehouse.config_history`); what changed between two versions,
and how it reads, is :mod:`analytics.sla_history`. This module needs neither polars nor
the texts (``sla info`` names the version in force without them).

- :func:`config_in_force` picks the version that judges a day: the one with the latest
  ``sla.effective_from`` on or before it; before the first recorded version, that
  version; the given config only when nothing is recorded.
- :func:`config_for_month` is the product's one rule for a month: the version in force on
  its first day judges all of it (every page, the KPI history, the CLI, the pack);
  :func:`config_at` applies it to the alerts of a moment (the month it falls in).
- :func:`month_zones` is where each month starts and ends when versions change the
  reporting time zone: at midnight of its 1st in the zone of the version that judges it,
  up to the next month's start (no hour in two months, none in no month). The versions
  :func:`config_in_force` returns carry it (:attr:`~analytics.config.SlaConfig.month_zones`).
- :func:`with_settings` is a version with some settings changed (what-if questions, tests).

>>> from analytics.config import load_config
>>> v1 = load_config("data/sla.toml")
>>> v2 = with_settings(v1, {"sla.effective_from": "2026-09-01", "sla.version": "3"})
>>> config_for_month([v1, v2], month="2026-08", fallback=v2).sla.version
'2026.2'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from analytics.config import SlaConfig
from analytics.timeframe import MonthZones, shift_month

#: Keys that are bookkeeping, not part of the agreement (never diffed); ``access`` and
#: ``notify`` name people (e-mail addresses), who must not appear in a review pack;
#: ``privacy`` says where the hash salt is.
IGNORED_KEYS: frozenset[str] = frozenset({"source", "content_hash", "access", "notify", "privacy"})


def with_settings(config: SlaConfig, settings: Mapping[str, Any]) -> SlaConfig:
    """A copy of ``config`` with some dotted settings replaced, validated again.

    For what-if questions and tests (``{"scoring.mql_threshold": 55}``). The copy has
    no source and no content hash (it was never a file).

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> with_settings(cfg, {"scoring.mql_threshold": 55}).scoring.mql_threshold
    55.0
    >>> with_settings(cfg, {"cadence.attempts": 5})
    Traceback (most recent call last):
    ...
    ValueError: unknown setting 'cadence.attempts'; cadence has: min_attempts, window_days, ...
    """
    data = config.model_dump(mode="json", exclude=set(IGNORED_KEYS))
    for key, value in settings.items():
        *path, leaf = key.split(".")
        node: Any = data
        for depth, part in enumerate(path):
            if not isinstance(node, dict) or not isinstance(node.get(part), dict):
                where = ".".join(path[:depth]) or "the config"
                known = ", ".join(k for k, v in node.items() if isinstance(v, dict))
                raise ValueError(f"unknown setting {key!r}; {where} has sections: {known}")
            node = node[part]
        if leaf not in node:
            raise ValueError(
                f"unknown setting {key!r}; {'.'.join(path) or 'the config'} has: " + ", ".join(node)
            )
        node[leaf] = value
    return SlaConfig.model_validate(data)


def dedupe_versions(configs: Sequence[SlaConfig]) -> list[SlaConfig]:
    """The versions, each once (by content hash, else by content), first first."""
    seen: set[str] = set()
    unique: list[SlaConfig] = []
    for config in configs:
        key = config.content_hash or config.model_dump_json(exclude=set(IGNORED_KEYS))
        if key not in seen:
            seen.add(key)
            unique.append(config)
    return unique


def config_in_force(versions: Sequence[SlaConfig], *, on: date, fallback: SlaConfig) -> SlaConfig:
    """The SLA version that judges day ``on``.

    The version with the latest ``sla.effective_from`` on or before ``on``, among the
    recorded ``versions`` and ``fallback`` (the config given now, when it is not one of
    them); on a tie the later one in ``versions`` wins, and a ``fallback`` not recorded
    wins over all (the file being edited). A day before the earliest recorded version is
    judged by that earliest version, whatever file is given: an old month's verdict does
    not flip with the file passed. Only when nothing is recorded does ``fallback`` judge
    every day.

    Parameters
    ----------
    versions : sequence of SlaConfig
        Recorded versions, in the order they were first used (retired ones left out:
        :func:`analytics.warehouse.config_history.stored_configs`).
    on : date
        The day to judge (a month's first day).
    fallback : SlaConfig
        The config given to the command or page.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")                      # effective 2026-01-01
    >>> v2 = with_settings(v1, {"sla.effective_from": "2026-09-01", "sla.version": "3"})
    >>> config_in_force([v1, v2], on=date(2026, 8, 1), fallback=v2).sla.version
    '2026.2'
    >>> config_in_force([v1, v2], on=date(2026, 9, 1), fallback=v1).sla.version
    '3'
    >>> config_in_force([v2], on=date(2025, 1, 1), fallback=v1).sla.version  # the earliest
    '3'
    >>> config_in_force([], on=date(2025, 1, 1), fallback=v1).sla.version  # none recorded
    '2026.2'

    The version returned cuts its months as :func:`month_zones` says (its
    :attr:`~analytics.config.SlaConfig.month_zones`): where versions change the reporting
    time zone, a month ends at the next month's start in that month's zone.
    """
    return zoned_config(_judge(versions, on, fallback), month_zones(versions, fallback=fallback))


def _judge(versions: Sequence[SlaConfig], on: date, fallback: SlaConfig) -> SlaConfig:
    """The rule of :func:`config_in_force`, without the months' zones."""
    earliest = _earliest(versions)
    if earliest is None:
        return fallback
    if on < earliest.sla.effective_from:
        return earliest
    recorded = {c.content_hash for c in versions if c.content_hash}
    given = [] if fallback.content_hash and fallback.content_hash in recorded else [fallback]
    return _in_force([*versions, *given], on) or earliest


def month_zones(versions: Sequence[SlaConfig], *, fallback: SlaConfig) -> MonthZones:
    """Where each month starts and ends: the reporting time zone of the version that
    judges it (:func:`config_for_month`), month by month.

    A month starts at midnight of its 1st in its own version's zone and ends where the
    next month starts. When a version changes the zone (Europe/Berlin until September,
    America/New_York from 2026-10-01), the boundary is the new zone's midnight: the hours
    between the old zone's midnight and the new one's (2026-09-30 22:00Z to 2026-10-01
    04:00Z) belong to September, the month before; with a zone further east, to the new
    month. So the months tile time: no hour falls in no month or in two, and a month
    has one span, whichever version judges it or compares with it.

    Parameters
    ----------
    versions : sequence of SlaConfig
        Recorded versions, in the order they were first used.
    fallback : SlaConfig
        The config given to the command or page (as in :func:`config_in_force`).

    Returns
    -------
    MonthZones
        The zone of the months before the first change and each change
        (:class:`~analytics.timeframe.MonthZones`); one zone when no version changes it.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> v1 = with_settings(load_config("data/sla.toml"), {"reporting.timezone": "Europe/Berlin"})
    >>> ny = with_settings(v1, {"sla.effective_from": "2026-10-01",
    ...                         "reporting.timezone": "America/New_York"})
    >>> month_zones([v1, ny], fallback=v1)
    MonthZones(zone='Europe/Berlin', changes=(('2026-10', 'America/New_York'),))
    >>> month_zones([v1], fallback=v1).single
    True
    """
    base = _judge(versions, date(1900, 1, 1), fallback).reporting.timezone
    firsts = sorted({_first_month_from(c.sla.effective_from) for c in [*versions, fallback]})
    changes: list[tuple[str, str]] = []
    zone = base
    for month in firsts:
        judged = _judge(versions, date.fromisoformat(f"{month}-01"), fallback).reporting.timezone
        if judged != zone:
            changes.append((month, judged))
            zone = judged
    return MonthZones(base, tuple(changes))


def _first_month_from(day: date) -> str:
    """The first month a version effective on ``day`` judges (``YYYY-MM``)."""
    month = f"{day.year:04d}-{day.month:02d}"
    return month if day.day == 1 else shift_month(month, 1)


#: The versions handed out with their months' zones, by (version, zones): one object per
#: version and zones, so that callers may tell versions apart by identity as before.
_ZONED: dict[tuple[int, MonthZones], tuple[SlaConfig, SlaConfig]] = {}


def zoned_config(config: SlaConfig, zones: MonthZones) -> SlaConfig:
    """``config`` cutting its months by ``zones`` (itself when there is one zone)."""
    if zones.single:
        return config
    key = (id(config), zones)
    hit = _ZONED.get(key)
    if hit is not None and hit[0] is config:
        return hit[1]
    if len(_ZONED) >= 1024:  # a few configs per warehouse: never grows in practice
        _ZONED.clear()
    zoned = config.with_month_zones(zones)
    _ZONED[key] = (config, zoned)  # holds ``config``: its id is not reused meanwhile
    return zoned


def recorded_in_force(versions: Sequence[SlaConfig], *, on: date) -> SlaConfig | None:
    """The recorded version that judges day ``on`` whatever file is given (the earliest
    before it takes effect); None when nothing is recorded.

    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")
    >>> recorded_in_force([v1], on=date(2025, 1, 1)).sla.version
    '2026.2'
    >>> recorded_in_force([], on=date(2025, 1, 1)) is None
    True
    """
    earliest = _earliest(versions)
    if earliest is None:
        return None
    return _in_force(versions, on) or earliest


def _earliest(versions: Sequence[SlaConfig]) -> SlaConfig | None:
    """The version that judges the first day any version takes effect (None: none)."""
    if not versions:
        return None
    return _in_force(versions, min(c.sla.effective_from for c in versions))


def config_for_month(
    versions: Sequence[SlaConfig], *, month: str, fallback: SlaConfig
) -> SlaConfig:
    """The SLA version that judges ``month``: the one in force on its first day.

    The one rule for every output that judges a month (the CLI, every page of the app,
    the KPI history, the review pack, the alerts of the running month, notebooks):
    :func:`config_in_force` on the month's first day (the 1st, in the reporting time
    zone). A version taking effect later in the month judges from the next month on.

    Parameters
    ----------
    versions : sequence of SlaConfig
        Recorded versions, in the order they were first used
        (:func:`analytics.warehouse.config_history.stored_configs`).
    month : str
        ``YYYY-MM``.
    fallback : SlaConfig
        The config given to the command or page.

    Examples
    --------
    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")                      # effective 2026-01-01
    >>> v2 = with_settings(v1, {"sla.effective_from": "2026-09-15", "sla.version": "3"})
    >>> config_for_month([v1, v2], month="2026-09", fallback=v2).sla.version
    '2026.2'
    >>> config_for_month([v1, v2], month="2026-10", fallback=v1).sla.version
    '3'
    """
    try:  # the first local day of a month is its 1st in any time zone
        first_day = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ValueError(f"month {month!r} is not a calendar month; use YYYY-MM") from None
    return config_in_force(versions, on=first_day, fallback=fallback)


#: Sections of a config that say who is told and who may see, not what was agreed: never
#: recorded with a version (:data:`IGNORED_KEYS`), so always the given config's.
_OWN_SECTIONS = ("access", "notify", "privacy")


def config_at(versions: Sequence[SlaConfig], *, moment: datetime, fallback: SlaConfig) -> SlaConfig:
    """The SLA version the alerts at ``moment`` use: the one that judges its month.

    :func:`config_for_month` of the month ``moment`` falls in (``fallback``'s reporting
    time zone), so that an episode alerted as overdue is one the month's review judges
    missed: a version taking effect inside the running month (or a file dated later) is
    used from the month it judges on. Its ``notify``, ``access`` and ``privacy`` sections
    are ``fallback``'s own (who is told, not what was agreed: never recorded).

    Examples
    --------
    >>> from datetime import UTC
    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")                      # effective 2026-01-01
    >>> nov = with_settings(v1, {"sla.effective_from": "2026-11-15", "sla.version": "nov"})
    >>> config_at([v1, nov], moment=datetime(2026, 11, 20, tzinfo=UTC), fallback=nov).sla.version
    '2026.2'
    >>> config_at([v1, nov], moment=datetime(2026, 12, 1, tzinfo=UTC), fallback=nov).sla.version
    'nov'

    The month of ``moment`` is the one whose span holds it (:func:`month_zones`): after a
    change of the reporting time zone, not simply the month in ``fallback``'s zone.
    """
    month = month_zones(versions, fallback=fallback).month_at(moment)
    found = config_for_month(versions, month=month, fallback=fallback)
    if found is fallback:
        return fallback
    return found.model_copy(update={name: getattr(fallback, name) for name in _OWN_SECTIONS})


def month_at(moment: datetime, *, timezone: str | MonthZones = "UTC") -> str:
    """The ``YYYY-MM`` month that ``moment`` (UTC; naive: UTC) falls in, in ``timezone``
    (or the month of :func:`month_zones` whose span holds it).

    >>> from datetime import UTC
    >>> month_at(datetime(2026, 10, 31, 23, 30, tzinfo=UTC), timezone="Europe/Berlin")
    '2026-11'
    """
    return MonthZones.of(timezone).month_at(moment)


def _in_force(candidates: Sequence[SlaConfig], on: date) -> SlaConfig | None:
    """The candidate with the latest effective date on or before ``on`` (last on a tie)."""
    eligible = [c for c in candidates if c.sla.effective_from <= on]
    if not eligible:
        return None
    latest = max(c.sla.effective_from for c in eligible)
    return [c for c in eligible if c.sla.effective_from == latest][-1]


def same_version(a: SlaConfig, b: SlaConfig) -> bool:
    """One version: the same object or the same content hash (a version read twice).
    (Two versions that differ in their label or date only are
    :func:`analytics.comparison.same_agreement`.)

    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")
    >>> same_version(v1, load_config("data/sla.toml")), same_version(v1, with_settings(
    ...     v1, {"sla.version": "2027.1"}))
    (True, False)
    """
    return a is b or (bool(a.content_hash) and a.content_hash == b.content_hash)


__all__ = [
    "IGNORED_KEYS",
    "config_at",
    "config_for_month",
    "config_in_force",
    "dedupe_versions",
    "month_at",
    "month_zones",
    "recorded_in_force",
    "same_version",
    "with_settings",
    "zoned_config",
]
