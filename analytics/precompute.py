"""Results computed once when the data changes, and read back instead of recomputed.

The review of a month (:func:`analytics.review.build_review`) and the KPI history
(:func:`analytics.review.kpi_history`) are the product's one source of truth; this module
only decides which of them are worth keeping after an import (the months the app and
``sla review`` open by default), turns them into bytes and back. The bytes live in the
warehouse (:mod:`analytics.warehouse.precomputed`), keyed by what they depend on: the
data (an import that changes it deletes every stored result), the SLA config's content
hash, the month and ``as_of``, and for the lead-scoring results (:data:`SCORING_KINDS`
and :data:`MODEL_KINDS`, what the Lead qualification page and ``sla score report``
read) the saved model.

The format holds no code: a JSON manifest with tagged values and one Arrow IPC stream
per frame, in a zip. Only the classes listed in :data:`KNOWN_CLASSES` can be rebuilt.

>>> from analytics.timeframe import month_window
>>> w = month_window("2026-10")
>>> from_bytes(to_bytes({"window": w, "n": pl.DataFrame({"x": [1]})}))["window"] == w
True
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from analytics.config import SlaConfig
from analytics.tables import Tables
from analytics.timeframe import month_of, shift_month

#: Dataclasses that a stored result may hold (module, class name): nothing else is built.
KNOWN_CLASSES: frozenset[tuple[str, str]] = frozenset(
    {("analytics.review", "Review"), ("analytics.timeframe", "Window")}
)

#: How many months of KPI history the KPIs page shows (:func:`dashboard.data.kpi_trend`).
KPI_MONTHS = 12


@dataclass(frozen=True)
class ResultKey:
    """What a stored result depends on, besides the data (an import clears them all).

    ``kind`` is ``review``, ``kpi_history``, one of :data:`PAGE_KINDS`, of
    :data:`SCORING_KINDS` or of :data:`MODEL_KINDS`; ``month`` is ``YYYY-MM``; ``config_hash``
    the SLA config's content hash; ``as_of`` the moment of judgement in UTC (ISO);
    ``code_hash`` the library's code (:func:`code_hash`): a result computed by another
    version of the product is not served; ``model_hash`` the saved model the result was
    computed with (:func:`model_hash`; empty for the reviews and without a model). When the
    SLA versions cut months in more than one time zone, ``config_hash`` is a digest of the
    content hash and the months' zones (:func:`config_key`): a month's span depends on the
    next month's zone too.
    """

    kind: str
    month: str
    config_hash: str
    as_of: str
    code_hash: str = ""
    model_hash: str = ""


@functools.cache
def code_hash() -> str:
    """SHA-256 of the library's source (``analytics/**/*.py``): what computed a result.

    >>> len(code_hash())
    64
    """
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def result_key(
    kind: str, month: str, config: SlaConfig, as_of: datetime | None, *, model: str = ""
) -> ResultKey:
    """The :class:`ResultKey` of a result computed with ``config`` at ``as_of`` (and the
    saved model whose :func:`model_hash` is ``model``).

    >>> from analytics.config import load_config
    >>> k = result_key("review", "2026-10", load_config("data/sla.toml"), None)
    >>> (k.kind, k.month, k.as_of, k.code_hash == code_hash(), k.model_hash)
    ('review', '2026-10', '', True, '')
    """
    moment = as_of.isoformat() if as_of else ""
    return ResultKey(kind, month, config_key(config), moment, code_hash(), model)


def config_key(config: SlaConfig) -> str:
    """What a result computed with ``config`` is keyed by: its content hash, and the zones
    its months are cut in when there are several
    (:attr:`~analytics.config.SlaConfig.month_zones`: a version recorded later in another
    time zone moves the end of the month before it). Empty for a config made in code.

    >>> from analytics.config import load_config
    >>> from analytics.timeframe import MonthZones
    >>> cfg = load_config("data/sla.toml")
    >>> config_key(cfg) == cfg.content_hash
    True
    >>> zoned = cfg.with_month_zones(MonthZones("UTC", (("2026-10", "America/New_York"),)))
    >>> config_key(zoned) in ("", cfg.content_hash)
    False
    """
    zones = config.month_zones
    if not config.content_hash or zones.single:
        return config.content_hash
    return hashlib.sha256(f"{config.content_hash}\n{zones!r}".encode()).hexdigest()


#: The MQL episodes of the whole history (:func:`analytics.episodes.episodes_to_store`),
#: stored after every import: they read no config and no ``as_of`` (``Tables.until``
#: cuts them), so their key holds only the code; :func:`analytics.warehouse.load_tables`
#: hands them to the metrics with the tables.
EPISODES_KIND = "mql_episodes"


def episodes_key() -> ResultKey:
    """The :class:`ResultKey` of the stored MQL episodes (:data:`EPISODES_KIND`).

    >>> k = episodes_key()
    >>> (k.kind, k.month, k.config_hash, k.as_of, k.code_hash == code_hash())
    ('mql_episodes', '', '', '', True)
    """
    return ResultKey(EPISODES_KIND, "", "", "", code_hash())


def model_hash(db_path: str | Path) -> str:
    """SHA-256 of the saved model the app and ``sla score report`` use for this warehouse
    (the latest in ``<db dir>/models``), or "" when there is none.

    >>> import tempfile
    >>> model_hash(Path(tempfile.mkdtemp()) / "warehouse.duckdb")
    ''
    """
    return model_file_hash(_saved_model(db_path))


def model_file_hash(path: str | Path | None) -> str:
    """SHA-256 of a saved model file and its card, the ``.json`` beside it (what
    :func:`model_hash` keys results by), or "" when ``path`` is None or a folder of models.
    The card counts: what is said of a model (:func:`~analytics.scoring.model.check_card`)
    comes from it, and ``sla purge`` rewrites it beside the same ``.skops`` bytes. A
    ``score-….skops`` that is no file (a folder of that name, a link to no file) is a saved
    model that cannot be used, not none: its key names what it is, so that no result
    computed without a model is read for it.

    >>> import tempfile
    >>> model_file_hash(None), model_file_hash(tempfile.mkdtemp())
    ('', '')
    >>> d = Path(tempfile.mkdtemp()) / "score-29990101T000000Z.skops"
    >>> d.mkdir()
    >>> model_file_hash(d)
    'not a file: folder score-29990101T000000Z.skops'
    """
    from analytics.scoring.model import MODEL_SUFFIX

    if path is None:
        return ""
    path = Path(path)
    if path.is_file():
        digest = hashlib.sha256(path.read_bytes())
        card = path.with_suffix(".json")
        try:  # a card that cannot be read is a key of its own too
            digest.update(b"\0card\0" + card.read_bytes())
        except OSError:
            digest.update(b"\0no card")
        return digest.hexdigest()
    if path.suffix != MODEL_SUFFIX:  # a folder of models
        return ""
    kind = "link" if path.is_symlink() else "folder" if path.is_dir() else "other"
    return f"not a file: {kind} {path.name}"


def _saved_model(db_path: str | Path) -> Path | None:
    from analytics.scoring.model import latest_model, models_dir

    return latest_model(models_dir(db_path))


# -- bytes -------------------------------------------------------------------------------


def _encode(value: Any, frames: dict[str, pl.DataFrame]) -> Any:
    if isinstance(value, pl.DataFrame):
        name = f"f{len(frames)}"
        frames[name] = value
        return {"$frame": name}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if (cls.__module__, cls.__qualname__) not in KNOWN_CLASSES:
            raise TypeError(f"{cls.__module__}.{cls.__qualname__} is not storable")
        return {
            "$class": [cls.__module__, cls.__qualname__],
            "fields": {
                f.name: _encode(getattr(value, f.name), frames) for f in dataclasses.fields(value)
            },
        }
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$seconds": value.total_seconds()}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"$dict": {k: _encode(v, frames) for k, v in value.items()}}
        return {"$pairs": [[_encode(k, frames), _encode(v, frames)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v, frames) for v in value]}
    if isinstance(value, list):
        return [_encode(v, frames) for v in value]
    if isinstance(value, float) and value != value:
        return {"$nan": True}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot store a {type(value).__name__}")


def _decode(value: Any, frames: Callable[[str], pl.DataFrame]) -> Any:
    if isinstance(value, list):
        return [_decode(v, frames) for v in value]
    if not isinstance(value, dict):
        return value
    if "$frame" in value:
        return frames(value["$frame"])
    if "$class" in value:
        module, name = value["$class"]
        if (module, name) not in KNOWN_CLASSES:
            raise ValueError(f"stored result names an unknown class {module}.{name}")
        cls = getattr(importlib.import_module(module), name)
        return cls(**{k: _decode(v, frames) for k, v in value["fields"].items()})
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$seconds" in value:
        return timedelta(seconds=value["$seconds"])
    if "$dict" in value:
        return {k: _decode(v, frames) for k, v in value["$dict"].items()}
    if "$pairs" in value:
        return {_decode(k, frames): _decode(v, frames) for k, v in value["$pairs"]}
    if "$tuple" in value:
        return tuple(_decode(v, frames) for v in value["$tuple"])
    if "$nan" in value:
        return float("nan")
    raise ValueError(f"stored result has an unknown tag: {sorted(value)}")


def to_bytes(value: Any) -> bytes:
    """A result (a Review, a frame, dicts of them) as bytes: JSON manifest + Arrow IPC frames.

    Raises
    ------
    TypeError
        For a value of a type that cannot be stored (e.g. a class not in :data:`KNOWN_CLASSES`).
    """
    frames: dict[str, pl.DataFrame] = {}
    manifest = _encode(value, frames)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, allow_nan=False))
        for name, frame in frames.items():
            part = io.BytesIO()
            frame.write_ipc(part, compression="lz4")
            archive.writestr(f"{name}.arrow", part.getvalue())
    return buffer.getvalue()


def from_bytes(data: bytes) -> Any:
    """The value :func:`to_bytes` stored (frames are read as they were written).

    Raises
    ------
    ValueError
        For bytes that are not a stored result (or name a class not allowed).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = json.loads(archive.read("manifest.json"))

            def frame(name: str) -> pl.DataFrame:
                return pl.read_ipc(io.BytesIO(archive.read(f"{name}.arrow")))

            return _decode(manifest, frame)
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a stored result: {exc}") from exc


# -- what to keep ------------------------------------------------------------------------


def months_to_keep(
    tables: Tables,
    *,
    config: SlaConfig,
    as_of: datetime | None,
    versions: Sequence[SlaConfig] = (),
) -> list[str]:
    """The months whose review the app and ``sla review`` open by default, newest first.

    The month of ``as_of`` (the running month, which can still be picked), the month
    before it (the last complete month: the default) and the one before that (the
    default month's "previous month" in the review pack and the comparison). Months
    before the first lead are left out; no months for an empty warehouse. The months are
    cut as the recorded ``versions`` cut them (:func:`analytics.sla_versions.month_zones`).

    >>> from analytics.config import load_config
    >>> t = Tables.from_rows(leads=[{"lead_id": "a", "created_at": "2026-09-03T10:00Z",
    ...                              "source": "email"}])
    >>> months_to_keep(t, config=load_config("data/sla.toml"),
    ...                as_of=datetime.fromisoformat("2026-11-02T00:00+00:00"))
    ['2026-11', '2026-10', '2026-09']
    """
    from analytics.sla_versions import month_zones

    if as_of is None:
        return []
    tz = month_zones(versions, fallback=config)
    first = tables.until(as_of).leads.select(month_of(pl.col("created_at").min(), timezone=tz))
    first_month = first.collect().item()
    if first_month is None:
        return []
    now = tz.month_at(as_of)
    return [m for m in (now, shift_month(now, -1), shift_month(now, -2)) if m >= first_month]


def compute_results(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime | None,
    versions: Sequence[SlaConfig] = (),
) -> dict[ResultKey, Any]:
    """The results worth storing after an import: the review of each month of
    :func:`months_to_keep`, judged by the SLA version in force for it, and the KPI
    history up to each of them (each month by its own version), as the app, the pack and
    ``sla review`` read them.

    Parameters
    ----------
    tables : Tables
        The warehouse tables (as the app reads them: whole company, no segment).
    config : SlaConfig
        The config given (the file's): it judges the months no recorded version does. A
        config without a content hash (made in code) stores nothing.
    as_of : datetime or None
        The default moment of judgement (the latest timestamp in the warehouse).
    versions : sequence of SlaConfig, optional
        The recorded versions (:func:`analytics.warehouse.config_history.stored_configs`):
        each month is judged by :func:`analytics.sla_versions.config_for_month`.

    Returns
    -------
    dict of ResultKey -> Review (``kind="review"``, keyed by the month's version) or KPI
    history frame (``kind="kpi_history"``, the :data:`KPI_MONTHS` months up to the key's
    month, keyed by :func:`history_key`).
    """
    from analytics import coverage as cov
    from analytics.review import build_review, kpi_histories
    from analytics.sla_versions import config_for_month

    results: dict[ResultKey, Any] = {}
    months = months_to_keep(tables, config=config, as_of=as_of, versions=versions)
    if not config.content_hash or not months:  # made in code, an empty warehouse, no as_of
        return results
    # every month is judged at as_of: one coverage per time zone and fit (stored at the
    # import for its config; computed for another: 4 s at 10M leads)
    coverages: dict[str, pl.DataFrame] = {}

    def coverage_of(judge: SlaConfig) -> pl.DataFrame:
        if judge.coverage_key not in coverages:
            coverages[judge.coverage_key] = cov.known_coverage(tables, config=judge, as_of=as_of)
        return coverages[judge.coverage_key]

    for month in months:
        judge = config_for_month(versions, month=month, fallback=config)
        if judge.content_hash:
            results[result_key("review", month, judge, as_of)] = build_review(
                tables, judge, month=month, as_of=as_of, coverage=coverage_of(judge)
            )
    # the histories up to each month share all but a month or two: one pass per version
    histories = kpi_histories(
        tables, config, ends=months, months=KPI_MONTHS, as_of=as_of,
        coverage=coverage_of(config), versions=versions,
    )  # fmt: skip
    for month, history in histories.items():
        key = history_key(month, config, as_of, versions=versions)
        if key is not None:
            results[key] = history
    return results


def history_key(
    month: str, config: SlaConfig, as_of: datetime | None, *, versions: Sequence[SlaConfig] = ()
) -> ResultKey | None:
    """The :class:`ResultKey` of the KPI history up to ``month`` (:data:`KPI_MONTHS`
    months, each judged by its own SLA version): keyed by ``config``'s content hash when
    ``config`` judges every one of them, else by a digest of it and each month's version
    (a version recorded later keys another history). None when one of them has no hash.

    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> cfg = load_config("data/sla.toml")
    >>> history_key("2026-10", cfg, None).config_hash == cfg.content_hash
    True
    >>> later = with_settings(cfg, {"sla.effective_from": "2026-10-01"}).model_copy(
    ...     update={"content_hash": "later"})
    >>> history_key("2026-10", cfg, None, versions=[cfg, later]).config_hash == cfg.content_hash
    False
    >>> history_key("2026-09", cfg, None, versions=[cfg, later]).config_hash == cfg.content_hash
    True
    """
    from analytics.sla_versions import config_for_month

    judges = [  # each with the zones of the months, when they are cut in several
        config_key(config_for_month(versions, month=shift_month(month, -k), fallback=config))
        for k in range(KPI_MONTHS)
    ]
    if not config.content_hash or not all(judges):
        return None
    key = result_key("kpi_history", month, config, as_of)
    if all(judge == config.content_hash for judge in judges):
        return key
    digest = hashlib.sha256("\n".join([config.content_hash, *judges]).encode()).hexdigest()
    return dataclasses.replace(key, config_hash=digest)


#: The lead-scoring results stored beside the reviews (month ""): the threshold table and
#: the slider's points (``thresholds``), the rule score's quality, the sales feedback, and
#: the open-lead list per language (with the saved model's factors).
SCORING_KINDS = ("thresholds", "score_quality", "sales_feedback", "lead_list")


def threshold_results(base: Any, *, points: bool = True) -> dict[str, Any]:
    """What the qualification page and ``sla score report`` need of a rule score's
    :class:`~analytics.scoring.thresholds.ThresholdBase`, without the base itself.

    Returns
    -------
    dict: ``table`` (:func:`~analytics.scoring.thresholds.threshold_table`), ``points``
    (:func:`~analytics.scoring.thresholds.slider_points`, or None without ``points``),
    ``current_threshold``, ``weekly_capacity``, ``sql_leads``, ``outcomes_known_until``
    (the base's ``outcomes_until``).
    """
    from analytics.scoring.thresholds import slider_points, threshold_table

    table = threshold_table(base)
    return {
        "table": table,
        "points": slider_points(base, table) if points else None,
        "current_threshold": base.current_threshold,
        "weekly_capacity": base.weekly_capacity,
        "sql_leads": base.sql_leads,
        "outcomes_known_until": base.outcomes_until,
    }


def compute_scoring(
    tables: Tables, config: SlaConfig, *, as_of: datetime | None, model_path: Path | None = None
) -> dict[str, Any]:
    """The lead-scoring results (:data:`SCORING_KINDS`), each as the page reads it.

    Parameters
    ----------
    tables, config, as_of
        As :func:`compute_results`; ``config`` is the SLA version whose threshold and
        scoring points are today's (:func:`page_config`: the one that judges ``as_of``'s
        month), as the page and ``sla score report`` use it.
    model_path : Path, optional
        The saved model whose factors the lead list shows.

    Returns
    -------
    dict of kind -> result: ``thresholds`` (:func:`threshold_results`), ``score_quality``
    (:func:`analytics.scoring.report.score_quality`), ``sales_feedback`` ((rejections by
    grade, rule suggestions)), ``lead_list`` (language -> (leads, model version, note on
    the model)).
    """
    from analytics.scoring.feedback import sales_feedback
    from analytics.scoring.reasons import lead_list_with_model
    from analytics.scoring.report import score_quality
    from analytics.scoring.thresholds import precompute_thresholds
    from analytics.texts import LANGS

    # the threshold estimates' cache (GBs at 10M leads) is let go before the next result
    thresholds = threshold_results(precompute_thresholds(tables, config, as_of=as_of))
    return {
        "thresholds": thresholds,
        "score_quality": score_quality(tables, config, as_of=as_of),
        "sales_feedback": sales_feedback(tables, config, as_of=as_of),
        "lead_list": lead_list_with_model(
            tables, config, as_of=as_of, langs=LANGS, model_path=model_path
        ),
    }


#: What ``sla score report`` says of the saved model (month "", keyed by the version in
#: force and the model like :data:`SCORING_KINDS`): its quality and the rule score's on the newer
#: leads, and its threshold table (:func:`analytics.scoring.report.model_evaluation`).
MODEL_KINDS = ("model_evaluation",)


def compute_model_scoring(
    tables: Tables, config: SlaConfig, *, as_of: datetime, model_path: Path | None
) -> dict[str, Any]:
    """The results of :data:`MODEL_KINDS` for the saved model at ``model_path``.

    Parameters
    ----------
    tables, config, as_of
        As :func:`compute_scoring`.
    model_path : Path or None
        The saved model ``sla score report`` evaluates by default.

    Returns
    -------
    dict of kind -> result: ``model_evaluation``; empty without a model, or when it cannot
    be loaded or evaluated (the report then computes, and says why).

    >>> from analytics.config import load_config
    >>> compute_model_scoring(Tables.empty(), load_config("data/sla.toml"),
    ...                       as_of=datetime(2026, 11, 1), model_path=None)
    {}
    """
    if model_path is None:
        return {}
    from analytics.scoring.model import load_model
    from analytics.scoring.report import model_evaluation

    try:
        model = load_model(model_path)
        return {"model_evaluation": model_evaluation(tables, config, as_of=as_of, model=model)}
    except (FileNotFoundError, ValueError):  # refused, or too few leads: nothing stored
        return {}


#: What the At risk and Handoffs pages read besides the month's review (month "", no
#: model): the alerts at the default horizons (:func:`analytics.alerts.at_risk_now`, by the
#: version that judges the month of ``as_of``) and MQL -> SQL by speed bucket
#: (:func:`analytics.response_time.research_conversion`, by the file's config).
PAGE_KINDS = ("alerts", "bucket_conversion")


def compute_pages(
    tables: Tables,
    config: SlaConfig,
    *,
    as_of: datetime,
    versions: Sequence[SlaConfig] = (),
) -> dict[str, Any]:
    """The results of :data:`PAGE_KINDS`, each as the page reads it.

    Parameters
    ----------
    tables, config, as_of, versions
        As :func:`compute_results`.

    Returns
    -------
    dict of kind -> result: ``alerts`` (:func:`analytics.alerts.at_risk_now` at
    :data:`~analytics.alerts.DEFAULT_WITHIN_HOURS` / ``DEFAULT_WITHIN_DAYS``, by the SLA
    version of ``as_of``'s month: :func:`page_config`), ``bucket_conversion``
    (:func:`analytics.response_time.research_conversion`, by ``config``).

    >>> from analytics.config import load_config
    >>> sorted(compute_pages(Tables.empty(), load_config("data/sla.toml"),
    ...                      as_of=datetime(2026, 11, 1)))
    ['alerts', 'bucket_conversion']
    """
    from analytics.alerts import at_risk_now
    from analytics.response_time import research_conversion

    judge = page_config("alerts", config, as_of=as_of, versions=versions)
    return {
        "alerts": at_risk_now(tables, config=judge, as_of=as_of),
        "bucket_conversion": research_conversion(tables, config=config, as_of=as_of),
    }


def page_config(
    kind: str, config: SlaConfig, *, as_of: datetime, versions: Sequence[SlaConfig] = ()
) -> SlaConfig:
    """The config a result of :data:`PAGE_KINDS`, :data:`SCORING_KINDS` or
    :data:`MODEL_KINDS` is computed with and keyed by: the alerts and the lead-scoring
    results (today's threshold and scoring points) by the SLA version that judges
    ``as_of``'s month (:func:`analytics.sla_versions.config_at`, as ``sla alerts``,
    ``sla score report`` and notebook 03), the others by ``config``.

    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> v1 = load_config("data/sla.toml")                      # effective 2026-01-01
    >>> ahead = with_settings(v1, {"sla.effective_from": "2027-01-01", "sla.version": "2027.1"})
    >>> at = datetime.fromisoformat("2026-11-20T12:00+00:00")
    >>> [page_config(k, ahead, as_of=at, versions=[v1]).sla.version
    ...  for k in ("alerts", "thresholds", "model_evaluation", "bucket_conversion")]
    ['2026.2', '2026.2', '2026.2', '2027.1']
    """
    from analytics.sla_versions import config_at

    if kind in ("alerts", *SCORING_KINDS, *MODEL_KINDS):
        return config_at(versions, moment=as_of, fallback=config)
    return config


# -- the warehouse's stored results ---------------------------------------------------


def results_stored(con: Any, config: SlaConfig) -> bool:
    """Whether what :func:`refresh_results` stores for ``config`` is stored for the data of
    ``con``: the KPI history up to the month of as_of, which it stores with the rest at
    once (a write that changes the data deletes them all; an import that changed nothing
    keeps them, :attr:`analytics.warehouse.loader.ImportResult.results_kept`).

    >>> import duckdb
    >>> from analytics.config import load_config
    >>> results_stored(duckdb.connect(), load_config("data/sla.toml"))  # an empty warehouse
    False
    """
    import duckdb

    from analytics.sla_versions import month_zones
    from analytics.warehouse.config_history import stored_configs
    from analytics.warehouse.facts import latest_timestamp
    from analytics.warehouse.precomputed import has_result

    try:
        as_of = latest_timestamp(con)
    except duckdb.Error:  # no tables: nothing was loaded
        return False
    if as_of is None or not config.content_hash:
        return False
    versions = stored_configs(con)
    month = month_zones(versions, fallback=config).month_at(as_of)
    key = history_key(month, config, as_of, versions=versions)
    return key is not None and has_result(con, key)


def refresh_results(
    db_path: str | Path, config: SlaConfig, *, reviews: bool = True, scoring: bool = True
) -> dict[str, Any]:
    """Compute the results worth keeping and store them in the warehouse file: the
    reviews and KPI history (:func:`compute_results`), what the At risk and Handoffs pages
    read besides (:func:`compute_pages`), the MQL episodes of the whole history
    (:data:`EPISODES_KIND`, what any later computation starts from) and the lead-scoring
    results (:func:`compute_scoring`, and :func:`compute_model_scoring` with a saved model,
    by the SLA version that judges ``as_of``'s month (:func:`page_config`) and keyed by it
    and by the saved model); called after every import,
    by ``sla precompute`` and (``reviews=False``) after ``sla score train``. The data's
    coverage is recorded for ``config`` too when it was stored for another time zone or
    other fit attributes.

    Raises
    ------
    DataChanged
        Another import, purge or refresh replaced the file while these were computed:
        nothing is stored (that writer's own refresh stores its results).

    Returns
    -------
    dict: ``results`` (how many were stored), ``bytes`` (their size), ``months``.
    """
    from analytics.episodes import stored_history
    from analytics.warehouse.config_history import stored_configs
    from analytics.warehouse.connection import connect_current
    from analytics.warehouse.coverage_store import coverage_config_key, stored_config_key
    from analytics.warehouse.database import (
        file_identity,
        latest_timestamp,
        snapshot_folder,
        snapshot_tables,
    )
    from analytics.warehouse.precomputed import store_results

    read_from = file_identity(db_path)  # before reading: a file swapped in since is seen
    with snapshot_folder(db_path) as folder:
        with connect_current(db_path) as con:  # this file, not an instance this process had open
            # of another time zone or fit, or stored before it was keyed by them
            stale_coverage = stored_config_key(con) != coverage_config_key(config)
            as_of = latest_timestamp(con)
            versions = stored_configs(con)  # each month is judged by its own version
            tables = snapshot_tables(con, folder)
        # the connection closed: DuckDB gives back what its reads kept (1.2 GB at 10M)
        months = months_to_keep(tables, config=config, as_of=as_of, versions=versions)
        results: dict[ResultKey, Any] = {}
        if reviews:  # the MQL episodes, stored and read by the reviews and pages below
            whole = stored_history(tables)  # one part of the leads at a time
            results[episodes_key()] = whole
            tables = dataclasses.replace(tables, episodes=whole.lazy(), episodes_basis=None)
            results.update(compute_results(tables, config, as_of=as_of, versions=versions))
        if reviews and as_of is not None and config.content_hash:
            pages = compute_pages(tables, config, as_of=as_of, versions=versions)
            for kind, value in pages.items():
                judge = page_config(kind, config, as_of=as_of, versions=versions)
                results[result_key(kind, "", judge, as_of)] = value
        if scoring and as_of is not None and config.content_hash:
            model, digest = _saved_model(db_path), model_hash(db_path)
            # today's threshold and scoring: the version that judges as_of's month
            judge = page_config("thresholds", config, as_of=as_of, versions=versions)
            computed = compute_scoring(tables, judge, as_of=as_of, model_path=model)
            computed.update(compute_model_scoring(tables, judge, as_of=as_of, model_path=model))
            for kind, value in computed.items():
                results[result_key(kind, "", judge, as_of, model=digest)] = value
        payloads = {key: to_bytes(value) for key, value in results.items()}
    store_results(
        db_path, payloads, read_from=read_from, coverage_for=config if stale_coverage else None
    )
    return {
        "results": len(payloads),
        "bytes": sum(len(p) for p in payloads.values()),
        "months": months,
    }


def stored(
    con: Any,
    kind: str,
    *,
    month: str,
    config: SlaConfig,
    as_of: datetime | None,
    model: str = "",
    versions: Sequence[SlaConfig] = (),
) -> Any:
    """The stored result of ``kind`` for (month, config, as_of, model), or None when there
    is none.

    ``con`` is a connection to the warehouse whose data the result must describe (an
    import that changes the data deletes every stored result, so what is found is
    current); ``model`` the :func:`model_hash` of the saved model in use (the
    lead-scoring kinds; month "");
    ``versions`` the recorded SLA versions (the KPI history, :func:`history_key`: ``config``
    is the one given; a review's ``config`` is the version that judges its month).
    """
    from analytics.warehouse.precomputed import read_result

    key = _stored_key(kind, month, config, as_of, model, versions)
    payload = None if key is None else read_result(con, key)
    if payload is None:
        return None
    try:
        return from_bytes(payload)
    except (ValueError, TypeError):  # written by another version of the product: recompute
        return None


def is_stored(
    con: Any,
    kind: str,
    *,
    month: str,
    config: SlaConfig,
    as_of: datetime | None,
    model: str = "",
    versions: Sequence[SlaConfig] = (),
) -> bool:
    """Whether :func:`stored` has a result of ``kind`` for (month, config, as_of, model),
    without reading it (a check before warming a cache; a 10M review is 26 MB)."""
    from analytics.warehouse.precomputed import has_result

    key = _stored_key(kind, month, config, as_of, model, versions)
    return key is not None and has_result(con, key)


def _stored_key(
    kind: str,
    month: str,
    config: SlaConfig,
    as_of: datetime | None,
    model: str,
    versions: Sequence[SlaConfig],
) -> ResultKey | None:
    """The key :func:`stored` and :func:`is_stored` look up; None for a config made in code,
    not read from a file (it has no content hash, so nothing is stored for it)."""
    if not config.content_hash:
        return None
    if kind == "kpi_history":
        return history_key(month, config, as_of, versions=versions)
    return result_key(kind, month, config, as_of, model=model)


__all__ = [
    "EPISODES_KIND",
    "KNOWN_CLASSES",
    "KPI_MONTHS",
    "MODEL_KINDS",
    "PAGE_KINDS",
    "SCORING_KINDS",
    "ResultKey",
    "code_hash",
    "compute_model_scoring",
    "compute_pages",
    "compute_results",
    "compute_scoring",
    "config_key",
    "episodes_key",
    "from_bytes",
    "history_key",
    "is_stored",
    "model_file_hash",
    "model_hash",
    "months_to_keep",
    "page_config",
    "refresh_results",
    "result_key",
    "stored",
    "threshold_results",
    "to_bytes",
]
