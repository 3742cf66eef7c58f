"""The SLA as a living document: what changed between two versions, and how it reads.

Pure functions over :class:`~analytics.config.SlaConfig` objects (the warehouse keeps the
versions: :mod:`analytics.warehouse.config_history`). Which version judges a day, a
month or a moment is :mod:`analytics.sla_versions`.

- :func:`flatten_config` turns a config into ``{key: value}`` with one readable key per
  setting (``scoring.mql_threshold``, ``kpis.sales[handoff_compliance].target``).
- :func:`diff_configs` compares two configs key by key and labels each change for people
  (``MQL threshold 60 -> 55``).
- :func:`month_sla` is what the pages and the pack say of the version that judges a
  month (its name, a trial, a time zone changed at its start).
- :func:`changes_within` lists the versions that took effect inside a span of days
  (a threshold changed in the middle of a month).

>>> from analytics.sla_versions import with_settings
>>> from analytics.config import load_config
>>> old = load_config("data/sla.toml")
>>> new = with_settings(old, {"scoring.mql_threshold": 55, "sla.effective_from": "2026-09-01"})
>>> describe_changes(old, new)
['Effective from 2026-01-01 -> 2026-09-01', 'MQL threshold 60 -> 55']
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Literal

from analytics.config import SlaConfig
from analytics.sla_versions import (
    IGNORED_KEYS,
    config_in_force,
    dedupe_versions,
    month_zones,
    recorded_in_force,
    same_version,
    zoned_config,
)
from analytics.texts import TEXTS, Lang, Localized, Text, metric_label, plain, render, term
from analytics.timeframe import ZoneBoundary, shift_month

ChangeKind = Literal["changed", "added", "removed"]

#: Suffix of a text's translation (``label_de``): the agreement is its English text, so a
#: translation is not diffed (a KPI removed is one change, not one per language).
TRANSLATION_SUFFIX = "_de"

#: Settings that name a version rather than change the agreement.
_META_KEYS: frozenset[str] = frozenset({"sla.effective_from", "sla.version"})

#: Readable labels of single settings (patterns below cover the families); their words,
#: in English and German, are in :data:`analytics.texts.TEXTS` (``setting.<key>``).
LABELS: dict[str, str] = {
    code.removeprefix("setting."): english
    for code, (english, _) in TEXTS.items()
    if code.startswith("setting.")
}

_FAMILIES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^handoff\.lines\[(.+)\]\.(\w+)$"), "line_field"),
    (re.compile(r"^handoff\.lines\[(.+)\]$"), "line"),
    (re.compile(r"^stages\.(\w+)\.(\w+)$"), "stage"),
    (re.compile(r"^scoring\.fit\.(\w+)\.(.+)$"), "fit_value"),
    (re.compile(r"^scoring\.fit\.(\w+)$"), "fit"),
    (re.compile(r"^scoring\.interest\.points\.(.+)$"), "interest_points"),
    (re.compile(r"^scoring\.interest\.caps\.(.+)$"), "interest_cap"),
    (re.compile(r"^segments\.size_bands\[(.+)\]\.(\w+)$"), "size_band"),
    (re.compile(r"^nurture\.tracks\[(.+)\]\.(\w+)$"), "track_field"),
    (re.compile(r"^nurture\.tracks\[(.+)\]$"), "track"),
    (re.compile(r"^kpis\.(marketing|sales)\[(.+)\]\.(\w+)$"), "kpi_field"),
    (re.compile(r"^kpis\.(marketing|sales)\[(.+)\]$"), "kpi"),
    (re.compile(r"^enums\.(\w+)$"), "enum"),
]

#: List items are keyed by the first of these fields they have (else by position).
_ITEM_KEYS = ("name", "metric", "label")


def flatten_config(config: SlaConfig | Mapping[str, Any]) -> dict[str, Any]:
    """One entry per setting: dotted keys, list items of tables keyed by name.

    Lists of plain values (``fit_grades``, ``channels``) stay one setting; lists of
    tables (nurture tracks, KPIs, size bands) are keyed by their ``name``, ``metric``
    or ``label``, so reordering them is no change.

    Parameters
    ----------
    config : SlaConfig or mapping
        A config, or its ``model_dump(mode="json")``.

    Returns
    -------
    dict
        ``{key: value}`` with JSON-like values (dates as ISO strings).

    Examples
    --------
    >>> from analytics.config import load_config
    >>> flat = flatten_config(load_config("data/sla.toml"))
    >>> flat["scoring.mql_threshold"], flat["kpis.sales[handoff_compliance].target"]
    (60.0, 0.9)
    >>> flat["cadence.channels"]
    ['phone', 'email', 'video', 'social']
    """
    data = config.model_dump(mode="json") if isinstance(config, SlaConfig) else dict(config)
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            if not value and prefix:
                flat[prefix] = {}
            for key, item in value.items():
                if (not prefix and key in IGNORED_KEYS) or str(key).endswith(TRANSLATION_SUFFIX):
                    continue
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for position, item in enumerate(value):
                name = next((item[k] for k in _ITEM_KEYS if k in item), position)
                walk(f"{prefix}[{name}]", item)
        else:
            flat[prefix] = value

    walk("", data)
    return flat


def label(key: str, *, lang: Lang = "en", item: Localized | None = None) -> str:
    """A readable label for a flattened key.

    ``item`` names the list item of the key for people (a KPI's label, a first-touch
    line's name, each in English and German); without it a KPI is named by its metric.

    >>> label("scoring.mql_threshold"), label("scoring.mql_threshold", lang="de")
    ('MQL threshold', 'MQL-Schwelle')
    >>> label("kpis.sales[handoff_compliance].target")
    'Speed-to-lead compliance: target'
    >>> label("kpis.sales[handoff_compliance].target", lang="de",
    ...       item=Localized("First touch within SLA", "Erstkontakt im SLA"))
    'Erstkontakt im SLA: Ziel'
    >>> label("handoff.lines[Demo request].first_touch_hours", lang="de",
    ...       item=Localized("Demo request", "Demo-Anfrage"))
    'Erstkontakt-Frist Demo-Anfrage: innerhalb von (Stunden)'
    >>> label("scoring.fit.industry.software", lang="de")
    'Fit-Punkte für industry software'
    """
    if key in LABELS:
        return render(f"setting.{key}", lang=lang)
    for pattern, family in _FAMILIES:
        match = pattern.match(key)
        if match:
            # Identifiers in brackets (track names, KPI metrics) stay as written.
            groups = match.groups() if "[" in key else [g.replace("_", " ") for g in match.groups()]
            if family.startswith("kpi"):  # the team in words; the KPI by its label
                name = item or Localized(
                    metric_label(groups[1]), metric_label(groups[1], lang="de")
                )
                groups = [render(f"setting_team.{groups[0]}", lang=lang), name, *groups[2:]]
            elif item is not None:  # a line or a track by its name in the language
                groups = [item, *groups[1:]]
            if family in ("kpi_field", "line_field"):  # the field in words
                field = f"setting_field.{groups[-1]}"
                groups[-1] = render(field, lang=lang) if field in TEXTS else groups[-1]
            parts = dict(zip("abc", groups, strict=False))  # one to three parts of the key
            text = render(f"setting_family.{family}", lang=lang, **parts)
            return text[0].upper() + text[1:]
    return key


def format_value(value: Any, *, lang: Lang = "en") -> str:
    """A setting's value as people write it.

    >>> format_value(60.0), format_value(0.9), format_value(True), format_value(None)
    ('60', '0.9', 'yes', '(not set)')
    >>> format_value(["phone", "email"]), format_value(0.9, lang="de")
    ('phone, email', '0,9')
    """
    if value is None:
        return render("setting_value.not_set", lang=lang)
    if isinstance(value, bool):
        return render("setting_value.yes" if value else "setting_value.no", lang=lang)
    if isinstance(value, float):
        return plain(value, lang)
    if isinstance(value, list):
        shown = [format_value(v, lang=lang) for v in value]
        return ", ".join(shown) if value else render("setting_value.none", lang=lang)
    if isinstance(value, Mapping):
        shown = [f"{k}={format_value(v, lang=lang)}" for k, v in value.items()]
        return ", ".join(shown) or render("setting_value.none", lang=lang)
    return str(value)


@dataclasses.dataclass(frozen=True)
class ConfigChange:
    """One setting that differs between two SLA versions (or a whole list item, such as a
    first-touch line or a KPI, that one of them has and the other has not)."""

    key: str
    label: str
    before: Any
    after: Any
    kind: ChangeKind
    #: The list item the key belongs to, named for people in each language (a KPI's label,
    #: a first-touch line's name); None for a setting outside a list.
    item: Localized | None = None

    @property
    def text(self) -> str:
        """``"<label> <before> -> <after>"``.

        >>> ConfigChange("scoring.mql_threshold", "MQL threshold", 60.0, 55.0, "changed").text
        'MQL threshold 60 -> 55'
        """
        return self.render()

    def render(self, *, lang: Lang = "en") -> str:
        """:attr:`text` in a language.

        >>> change = ConfigChange("handoff.business_hours", "", False, True, "changed")
        >>> change.render(lang="de")
        'Nur Geschäftszeiten zählen nein -> ja'
        >>> kpi = ConfigChange("kpis.sales[handoff_compliance].target", "", 0.9, 0.5, "changed",
        ...                    Localized("First touch within SLA", "Erstkontakt im SLA"))
        >>> kpi.text, kpi.render(lang="de")
        ('First touch within SLA: target 90 % -> 50 %', 'Erstkontakt im SLA: Ziel 90 % -> 50 %')
        """
        name = label(self.key, lang=lang, item=self.item)
        whole = _whole_item(self.key)
        if whole is not None and self.kind in ("added", "removed"):
            return _item_words(whole, self, name, lang)
        before, after = (_value(self.key, v, lang) for v in (self.before, self.after))
        return f"{name} {before} -> {after}"

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "before": self.before,
            "after": self.after,
            "kind": self.kind,
            "text": self.text,
        }


#: A key of a whole list item (``handoff.lines[Demo request]``) and its family.
_ITEM = re.compile(r"^(handoff\.lines|kpis\.(?:marketing|sales)|[\w.]+)\[([^\]]+)\]$")
#: A key of a field of a list item, and the item's key.
_ITEM_FIELD = re.compile(r"^(.+\[[^\]]+\])\.(\w+)$")


def _whole_item(key: str) -> str | None:
    """The family of a whole list item's key (``line``, ``kpi``, ``item``), else None.

    >>> _whole_item("handoff.lines[Demo request]"), _whole_item("kpis.sales[mqls]")
    ('line', 'kpi')
    >>> _whole_item("nurture.tracks[decision-proof]"), _whole_item("kpis.sales[mqls].target")
    ('item', None)
    """
    match = _ITEM.match(key)
    if match is None:
        return None
    return {"handoff.lines": "line"}.get(
        match[1], "kpi" if match[1].startswith("kpis.") else "item"
    )


def _value(key: str, value: Any, lang: Lang) -> str:
    """A setting's value as people write it; a KPI's target as its metric is shown (a rate
    in percent: ``90 %``) and its direction in words.

    >>> _value("kpis.sales[handoff_compliance].target", 0.875, "de")
    '87,5 %'
    >>> _value("kpis.sales[stale_leads].direction", "at_most", "en")
    'at most'
    """
    match = re.match(r"^kpis\.\w+\[(\w+)\]\.(target|direction)$", key)
    if match and value is not None:
        metric, field = match.groups()
        if field == "direction":
            return render(f"setting_direction.{value}", lang=lang)
        return _target(metric, value, lang)
    return format_value(value, lang=lang)


def _target(metric: str, value: float, lang: Lang) -> str:
    """A KPI target as the SLA states it: ``90 %``, ``700``, ``8 h``."""
    from analytics.pack.formatting import metric_kind  # the pack imports this module

    kind = metric_kind(metric)
    if kind == "rate":
        return f"{plain(value * 100, lang)} %"
    if kind == "hours":
        return f"{plain(value, lang)} h"
    return plain(value, lang)


def _item_words(family: str, change: ConfigChange, name: str, lang: Lang) -> str:
    """A list item added or removed, in one sentence: a first-touch line with its rule
    (``New first-touch line Demo request for trigger demo request: first touch within 1
    business hour``), a KPI with its target, another item by its label."""
    fields = change.after if change.kind == "added" else change.before
    fields = fields if isinstance(fields, Mapping) else {}
    match = _ITEM.match(change.key)
    assert match is not None
    item = change.item or Localized(match[2])
    if family == "line":
        conditions = [
            f"{render(f'setting_field.{k}', lang=lang)} {term(k, str(v), lang=lang)}"
            for k, v in fields.items()
            if k in _LINE_CONDITIONS and v is not None
        ]
        return render(
            f"setting_item.line_{change.kind}",
            lang=lang,
            name=item,
            conditions=", ".join(conditions),
            within=line_hours(
                float(fields.get("first_touch_hours") or 0), bool(fields.get("business_hours"))
            ),
        )
    if family == "kpi":
        team = match[1].removeprefix("kpis.")
        rule = " ".join(
            _value(f"{change.key}.{k}", fields.get(k), lang) for k in ("direction", "target")
        )
        return render(
            f"setting_item.kpi_{change.kind}",
            lang=lang,
            name=item,
            team=render(f"setting_team.{team}", lang=lang),
            rule=rule,
        )
    return render(f"setting_item.{change.kind}", lang=lang, name=name)


def line_hours(hours: float, business: bool) -> Text:
    """A first-touch line's time in words: ``24 h``, ``1 business hour``, ``2 Arbeitsstunden``.

    >>> line_hours(1, True).render(), line_hours(2, True).render(lang="de")
    ('1 business hour', '2 Arbeitsstunden')
    >>> line_hours(24, False).render()
    '24 h'
    """
    clock = "business" if business else "calendar"
    return Text(f"setting_line.{clock}{'_one' if hours == 1 else ''}", {"hours": hours})


#: The conditions a first-touch line may set (:data:`analytics.config.LINE_CONDITIONS`).
_LINE_CONDITIONS = ("trigger", "source", "country", "team", "size_band")


def _items(config: SlaConfig | Mapping[str, Any]) -> dict[str, Localized]:
    """The list items of a config that people know by a name, by their flattened key: the
    first-touch lines (``name``, ``name_de``), the KPIs and nurture tracks (``label``,
    ``label_de``; a track without a label by its name)."""
    data = config.model_dump(mode="json") if isinstance(config, SlaConfig) else dict(config)
    names: dict[str, Localized] = {}
    for line in (data.get("handoff") or {}).get("lines") or []:
        names[f"handoff.lines[{line['name']}]"] = Localized(line["name"], line.get("name_de"))
    for team in ("marketing", "sales"):
        for kpi in (data.get("kpis") or {}).get(team) or []:
            names[f"kpis.{team}[{kpi['metric']}]"] = Localized(kpi["label"], kpi.get("label_de"))
    for track in (data.get("nurture") or {}).get("tracks") or []:
        shown = track.get("label") or track["name"]
        german = track.get("label_de") or track.get("name_de")
        names[f"nurture.tracks[{track['name']}]"] = Localized(shown, german)
    return names


def diff_configs(
    old: SlaConfig | Mapping[str, Any], new: SlaConfig | Mapping[str, Any]
) -> list[ConfigChange]:
    """What changed from ``old`` to ``new``, one entry per flattened setting.

    A setting unset on one side and missing on the other is no change; a list of tables
    (first-touch lines, KPIs, tracks) that was empty and now has items is the items, and
    an item that only one side has is one change (``added`` or ``removed``, its fields as
    a dict), not one per field. A first-touch line's ``business_hours`` left unset is
    the version's ``handoff.business_hours``.

    Parameters
    ----------
    old, new : SlaConfig or mapping
        Two configs (or their JSON dumps).

    Returns
    -------
    list of ConfigChange
        In the order of the config file (``new``'s keys first, then removed ones);
        empty when the agreements are the same.

    Examples
    --------
    >>> from analytics.sla_versions import with_settings
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> [c.text for c in diff_configs(cfg, with_settings(cfg, {"cadence.min_attempts": 5}))]
    ['Minimum attempts 6 -> 5']
    >>> diff_configs(cfg, cfg)
    []
    """
    before, after = (
        _with_line_defaults(flatten_config(old)),
        _with_line_defaults(flatten_config(new)),
    )
    names = {**_items(old), **_items(new)}
    changes: list[ConfigChange] = []
    done: set[str] = set()

    def item_of(key: str) -> str | None:
        match = _ITEM_FIELD.match(key)
        return match[1] if match else None

    def whole(key: str, side: dict[str, Any], other: dict[str, Any]) -> bool:
        """Whether ``key`` is a field of an item the ``other`` side has no field of."""
        item = item_of(key)
        return item is not None and not any(item_of(k) == item for k in other)

    def add(key: str, was: Any, now: Any, kind: ChangeKind) -> None:
        item = item_of(key) or (key if _whole_item(key) else None)
        named = names.get(item) if item else None
        changes.append(ConfigChange(key, label(key, item=named), was, now, kind, named))

    for source, target, kind in ((after, before, "added"), (before, after, "removed")):
        for key, value in source.items():
            if key in done or (kind == "removed" and key in after):
                continue
            if key in target:
                if target[key] != value:
                    add(key, target[key], value, "changed")
                continue
            if value is None or _empty_list_of_items(key, value, target):
                continue  # unset is no setting; an empty list is no item
            if whole(key, source, target):
                item = item_of(key)
                assert item is not None
                if item not in done:
                    fields = {
                        k.removeprefix(f"{item}."): v
                        for k, v in source.items()
                        if item_of(k) == item and v is not None
                    }
                    add(item, *((None, fields) if kind == "added" else (fields, None)), kind)
                    done.add(item)
                continue
            add(key, *((None, value) if kind == "added" else (value, None)), kind)  # type: ignore[arg-type]
    return changes


def _empty_list_of_items(key: str, value: Any, other: Mapping[str, Any]) -> bool:
    """Whether ``value`` is an empty list whose key the other side lists items under
    (``handoff.lines = []`` against ``handoff.lines[Demo request]...``)."""
    return value == [] and any(k.startswith(f"{key}[") for k in other)


def _with_line_defaults(flat: dict[str, Any]) -> dict[str, Any]:
    """A first-touch line's ``business_hours`` left unset as the version's default
    (``handoff.business_hours``): the same line, whether it says so or not."""
    default = flat.get("handoff.business_hours")
    return {
        key: default
        if value is None and key.startswith("handoff.lines[") and key.endswith(".business_hours")
        else value
        for key, value in flat.items()
    }


def describe_changes(
    old: SlaConfig | Mapping[str, Any], new: SlaConfig | Mapping[str, Any]
) -> list[str]:
    """The changes of :func:`diff_configs` as lines of text.

    >>> from analytics.sla_versions import with_settings
    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> describe_changes(cfg, with_settings(cfg, {"handoff.first_touch_hours": 8}))
    ['First touch within (hours) 24 -> 8']
    """
    return [change.text for change in diff_configs(old, new)]


def kpi_label(
    team: str, metric: str, label: str, configs: Sequence[SlaConfig], *, lang: Lang = "en"
) -> str:
    """A KPI's label in ``lang``, as the version that judged its month wrote it.

    ``label`` is the English label a KPI row carries (:func:`analytics.kpis.kpi_table`:
    the judging version's). Its words in ``lang`` are those of the first of ``configs``
    whose KPI of ``team`` on ``metric`` has that label and a translation (``label_de``),
    so that a KPI that only an older version has is translated as a current one is;
    ``label`` itself where none translates it.

    Parameters
    ----------
    team, metric : str
        The KPI's key (``marketing``, ``mqls``).
    label : str
        Its English label, as the row carries it.
    configs : sequence of SlaConfig
        Where to look, first first: the month's version, the config file, the recorded
        versions (:func:`analytics.warehouse.config_history.stored_configs`).
    lang : {"en", "de"}, default "en"

    Examples
    --------
    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")
    >>> kpi_label("sales", "cadence_compliance", "Cadence held", [v1], lang="de")
    'Kadenz eingehalten'
    >>> kpi_label("sales", "cadence_compliance", "Cadence kept", [v1], lang="de")  # not v1's
    'Cadence kept'
    """
    for config in configs:
        kpi = config.kpi(team, metric)
        if kpi is not None and kpi.label == label and (said := kpi.text("label", lang)) != label:
            return said
    return label


def alerts_version_note(
    used: SlaConfig, given: SlaConfig, *, month: str, lang: Lang = "en", path: str | None = None
) -> str | None:
    """What to say when the alerts use another SLA version than the config given
    (:func:`config_at`): which one, and why; None when they use the given one.

    ``month`` is the month the alerts' moment falls in, as the reader reads it
    (``2026-11``, ``November 2026``); ``path`` the given config's file as shown (default:
    its ``source``).

    >>> from analytics.sla_versions import with_settings
    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")
    >>> later = with_settings(v1, {"sla.effective_from": "2027-01-01", "sla.version": "2027.1"})
    >>> given = later.model_copy(update={"source": "next.toml"})
    >>> print(alerts_version_note(v1, given, month="2026-11"))  # doctest: +NORMALIZE_WHITESPACE
    These alerts use SLA version 2026.2 (in force from 2026-01-01), the one that judges
    2026-11: a version judges a month, and warns in it, when it is in force on the
    month's first day. The config file next.toml holds version 2027.1 (from 2027-01-01).
    >>> alerts_version_note(v1, v1, month="2026-11") is None
    True
    """
    from analytics.texts import day

    if same_version(used, given):
        return None
    return render(
        "alert.version",
        lang=lang,
        version=used.sla.version,
        since=day(used.sla.effective_from, lang),
        month=month,
        path=path or given.source or "–",
        given=given.sla.version,
        given_since=day(given.sla.effective_from, lang),
    )


def scoring_version_note(
    used: SlaConfig, given: SlaConfig, *, month: str, lang: Lang = "en", path: str | None = None
) -> str | None:
    """What the Lead qualification page says when today's threshold and scoring points are
    another SLA version's than the config given (:func:`config_at`: the version that
    judges ``month``, the month of ``as_of``), and which; None when they are the given's.
    ``month`` and ``path`` as in :func:`alerts_version_note`.

    >>> from analytics.sla_versions import with_settings
    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")
    >>> later = with_settings(v1, {"sla.effective_from": "2027-01-01", "sla.version": "2027.1",
    ...                            "scoring.mql_threshold": 50})
    >>> given = later.model_copy(update={"source": "next.toml"})
    >>> print(scoring_version_note(v1, given, month="2026-11"))  # doctest: +NORMALIZE_WHITESPACE
    Today's MQL threshold (60) and scoring points are those of SLA version 2026.2 (in force
    from 2026-01-01), the one that judges 2026-11: a version judges a month when it is in
    force on the month's first day. The config file next.toml holds version 2027.1 (from
    2027-01-01, MQL threshold 50).
    >>> scoring_version_note(v1, v1, month="2026-11") is None
    True
    """
    from analytics.texts import day

    if same_version(used, given):
        return None
    return render(
        "score.version",
        lang=lang,
        threshold=used.scoring.mql_threshold,
        version=used.sla.version,
        since=day(used.sla.effective_from, lang),
        month=month,
        path=path or given.source or "–",
        given=given.sla.version,
        given_since=day(given.sla.effective_from, lang),
        given_threshold=given.scoring.mql_threshold,
    )


@dataclasses.dataclass(frozen=True)
class VersionChange:
    """A new SLA version taking effect on ``effective_from``: before, after, what changed."""

    effective_from: date
    before: SlaConfig
    after: SlaConfig

    @property
    def changes(self) -> list[ConfigChange]:
        return diff_configs(self.before, self.after)

    @property
    def lines(self) -> list[str]:
        """Each change with its date: ``"MQL threshold 60 -> 55 from 2026-09-01"``."""
        day = self.effective_from.isoformat()
        return [f"{c.text} from {day}" for c in self.changes if c.key not in _META_KEYS]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "effective_from": self.effective_from.isoformat(),
            "version_before": self.before.sla.version,
            "version_after": self.after.sla.version,
            "changes": [c.to_json_dict() for c in self.changes],
        }


def changes_within(
    versions: Sequence[SlaConfig], *, first_day: date, last_day: date, fallback: SlaConfig
) -> list[VersionChange]:
    """The versions that took effect after ``first_day`` and up to ``last_day``.

    Each comes with the version in force the day before it, so a mid-month change of
    the MQL threshold reads ``MQL threshold 60 -> 55 from 2026-10-15``.

    Parameters
    ----------
    versions : sequence of SlaConfig
        Recorded versions, in the order they were first used.
    first_day, last_day : date
        The span (a month's first and last local day). A version effective on
        ``first_day`` is the one in force, not a change inside the span.
    fallback : SlaConfig
        The config given now (also a candidate, as in :func:`config_in_force`).

    Returns
    -------
    list of VersionChange
        Oldest first; versions that change nothing are left out.

    Examples
    --------
    >>> from analytics.sla_versions import with_settings
    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")
    >>> v2 = with_settings(v1, {"sla.effective_from": "2026-10-15", "scoring.mql_threshold": 55})
    >>> [c.lines for c in changes_within(
    ...     [v1, v2], first_day=date(2026, 10, 1), last_day=date(2026, 10, 31), fallback=v1)]
    [['MQL threshold 60 -> 55 from 2026-10-15']]
    """
    candidates = dedupe_versions([*versions, fallback])
    days = sorted(
        {c.sla.effective_from for c in candidates if first_day < c.sla.effective_from <= last_day}
    )
    found: list[VersionChange] = []
    for day in days:
        after = config_in_force(versions, on=day, fallback=fallback)
        before = config_in_force(versions, on=day - timedelta(days=1), fallback=fallback)
        if after is before:
            continue
        change = VersionChange(day, before, after)
        if any(c.key not in _META_KEYS for c in change.changes):
            found.append(change)
    return found


@dataclasses.dataclass(frozen=True)
class MonthSla:
    """Which SLA version judges a month, and why: what ``sla review`` says first and its
    JSON's ``sla`` block (:func:`month_sla`)."""

    month: str
    first_day: date
    #: The version that judges the month.
    config: SlaConfig
    #: The config given to the command (``--config``).
    given: SlaConfig
    #: The recorded version that judges it whatever file is given (None: none recorded).
    recorded: SlaConfig | None
    #: The given config judges on request, whatever is recorded (``--no-record``).
    trial: bool
    #: Versions taking effect inside the month (not applied: the month is judged by the
    #: version in force on its first day).
    changes: tuple[VersionChange, ...]
    #: The recorded versions.
    versions: tuple[SlaConfig, ...]
    #: Where the month starts or ends at a change of the reporting time zone (its first
    #: day's, or the next month's): the hours between the two midnights and their month.
    boundaries: tuple[ZoneBoundary, ...] = ()

    @property
    def given_config(self) -> bool:
        """Whether the config given judges the month."""
        return same_version(self.config, self.given)

    @property
    def is_recorded(self) -> bool:
        """Whether the version that judges is one recorded in the warehouse."""
        return any(same_version(self.config, c) for c in self.versions)

    @property
    def in_force(self) -> bool:
        """Whether it was in force on the month's first day (False: the earliest recorded
        version judges a month before it, or a config dated later judges on request)."""
        return self.config.sla.effective_from <= self.first_day

    @property
    def instead_of(self) -> SlaConfig | None:
        """The recorded version a trial judges in place of (None: no trial, or the same)."""
        if not self.trial or self.recorded is None:
            return None
        return None if same_version(self.recorded, self.config) else self.recorded

    def lines(self) -> list[str]:
        """What judged the month, in English (``sla review``'s first lines).

        >>> from analytics.config import load_config
        >>> v1 = load_config("data/sla.toml")
        >>> sla = month_sla([v1], month="2025-09", first_day=date(2025, 9, 1),
        ...                 last_day=date(2025, 9, 30), given=v1)
        >>> sla.lines()  # doctest: +NORMALIZE_WHITESPACE
        ['Judged by SLA version 2026.2 (46ee2f9e, in force from 2026-01-01), the earliest
          recorded: no version was in force in 2025-09']
        """
        cfg, given = self.config, self.given
        if self.trial:
            recorded = "recorded" if self.is_recorded else "not recorded"
            first = f"Judged by {cfg.source or 'the given config'} ({recorded}: --no-record), "
            first += f"version {_named(cfg)}"
            if (other := self.instead_of) is not None:
                first += f", instead of recorded version {_named(other)}"
            elif self.recorded is None:
                first += "; no SLA version is recorded in the warehouse"
        elif self.recorded is None:
            first = (
                f"Judged by the given config {cfg.source or ''}".rstrip()
                + f", version {_named(cfg)}: no SLA version is recorded in the warehouse"
            )
        else:
            first = f"Judged by SLA version {_named(cfg)}"
            if not self.in_force:
                first += f", the earliest recorded: no version was in force in {self.month}"
            if not self.given_config:
                first += (
                    f"; not by the given config {given.source or ''}".rstrip()
                    + f" (version {given.sla.version}, from "
                    f"{given.sla.effective_from.isoformat()})"
                )
        lines = [first]
        lines += [boundary_text(b) for b in self.boundaries]
        for change in self.changes:
            changed = "; ".join(c.text for c in change.changes if c.key not in _META_KEYS)
            lines.append(
                f"Changed during {self.month}: version {change.after.sla.version} from "
                f"{change.effective_from.isoformat()} ({changed}); not applied here: the month "
                "is judged by the version in force on its first day"
            )
        return lines

    def to_json_dict(self) -> dict[str, Any]:
        """The ``sla`` block of ``sla review --json`` (keys added to the contract, spec/cli.md)."""
        cfg, other = self.config, self.instead_of
        return {
            "version": cfg.sla.version,
            "name": cfg.sla.name,
            "content_hash": cfg.content_hash or None,
            "effective_from": cfg.sla.effective_from.isoformat(),
            "source": cfg.source or None,
            "given_config": self.given_config,
            "recorded": self.is_recorded,
            "in_force": self.in_force,
            "trial": self.trial,
            "instead_of": None
            if other is None
            else {
                "version": other.sla.version,
                "content_hash": other.content_hash,
                "effective_from": other.sla.effective_from.isoformat(),
            },
            "changes_within": [c.to_json_dict() for c in self.changes],
            "zone_boundaries": [boundary_json(b) for b in self.boundaries],
        }


def month_sla(
    versions: Sequence[SlaConfig],
    *,
    month: str,
    first_day: date,
    last_day: date,
    given: SlaConfig,
    trial: bool = False,
) -> MonthSla:
    """The version that judges ``month`` (:func:`config_in_force` of its first day), the
    recorded one, and the versions taking effect inside it; with ``trial`` the given
    config judges (``sla review --no-record``: a trial judges the month asked, whatever is
    recorded), and nothing changes inside the month.

    >>> from analytics.sla_versions import with_settings
    >>> from analytics.config import load_config
    >>> v1 = load_config("data/sla.toml")
    >>> trial = with_settings(v1, {"sla.version": "trial", "handoff.first_touch_hours": 2})
    >>> v3 = with_settings(v1, {"sla.version": "2026.3", "sla.effective_from": "2026-10-01"})
    >>> sla = month_sla([v1, v3], month="2026-10", first_day=date(2026, 10, 1),
    ...                 last_day=date(2026, 10, 31), given=trial, trial=True)
    >>> sla.config.sla.version, sla.instead_of.sla.version, sla.given_config
    ('trial', '2026.3', True)
    """
    recorded = recorded_in_force(versions, on=first_day)
    if not trial:
        judged = config_in_force(versions, on=first_day, fallback=given)
    elif recorded is None or same_version(recorded, given):  # the version in force, tried as is
        judged = zoned_config(given, month_zones(versions, fallback=given))
    else:  # a trial in place of another version judges by itself, in its own zone
        judged = given
    changes = (
        ()
        if trial
        else tuple(changes_within(versions, first_day=first_day, last_day=last_day, fallback=given))
    )
    zones = judged.month_zones
    return MonthSla(
        month=month,
        first_day=first_day,
        config=judged,
        given=given,
        recorded=recorded,
        trial=trial,
        changes=changes,
        versions=tuple(versions),
        boundaries=tuple(zones.boundaries(month, shift_month(month, 1))),
    )


def boundary_text(boundary: ZoneBoundary, *, lang: Lang = "en") -> str:
    """Where two months in different time zones meet, in words: what ``sla review``, the
    pack and the Monthly review page say of a change of the reporting time zone.

    >>> from analytics.timeframe import MonthZones
    >>> z = MonthZones("Europe/Berlin", (("2026-10", "America/New_York"),))
    >>> print(boundary_text(z.boundaries()[0]))  # doctest: +NORMALIZE_WHITESPACE
    Time zone change: 2026-09 ends and 2026-10 starts at midnight in America/New_York
    (2026-10-01 04:00 UTC); the 6 hours between midnight in Europe/Berlin (2026-09-30 22:00
    UTC) and midnight in America/New_York (2026-10-01 04:00 UTC) count in 2026-09.
    """
    from analytics.texts import moment

    midnights = sorted([(boundary.other, boundary.before), (boundary.at, boundary.after)])
    first, second = (
        render("zone.midnight", lang=lang, zone=zone, at=moment(at, lang)) for at, zone in midnights
    )
    return render(
        "zone.boundary",
        lang=lang,
        previous=shift_month(boundary.month, -1),
        month=boundary.month,
        after=boundary.after,
        at=moment(boundary.at, lang),
        hours=plain(boundary.hours, lang),
        first=first,
        second=second,
        holder=boundary.holder,
    )


def boundary_json(boundary: ZoneBoundary) -> dict[str, Any]:
    """A change of the months' time zone, JSON-ready: the month that starts in the new zone
    (``month``), the zones (``before``, ``after``), the boundary (``at``: midnight in the new
    zone, UTC) and the old zone's midnight (``other``), the hours between and the month
    they count in (``hours_month``).

    >>> from analytics.timeframe import MonthZones
    >>> z = MonthZones("Europe/Berlin", (("2026-10", "America/New_York"),))
    >>> boundary_json(z.boundaries()[0])  # doctest: +NORMALIZE_WHITESPACE
    {'month': '2026-10', 'before': 'Europe/Berlin', 'after': 'America/New_York',
     'at': '2026-10-01T04:00:00Z', 'other': '2026-09-30T22:00:00Z', 'hours': 6.0,
     'hours_month': '2026-09'}
    """
    from analytics.timeframe import format_utc

    return {
        "month": boundary.month,
        "before": boundary.before,
        "after": boundary.after,
        "at": format_utc(boundary.at),
        "other": format_utc(boundary.other),
        "hours": boundary.hours,
        "hours_month": boundary.holder,
    }


def _named(config: SlaConfig) -> str:
    """``2026.2 (46ee2f9e, in force from 2026-01-01)``."""
    day = config.sla.effective_from.isoformat()
    return f"{config.sla.version} ({config.content_hash[:8] or 'not a file'}, in force from {day})"


__all__ = [
    "ChangeKind",
    "ConfigChange",
    "MonthSla",
    "VersionChange",
    "alerts_version_note",
    "boundary_json",
    "boundary_text",
    "changes_within",
    "describe_changes",
    "diff_configs",
    "flatten_config",
    "format_value",
    "kpi_label",
    "label",
    "month_sla",
    "scoring_version_note",
]
