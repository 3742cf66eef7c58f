# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3. Lead score: calibration and threshold tuning
#
# Two questions marketing operations asks before changing `scoring.mql_threshold`:
#
# 1. **Does the score mean what it says?** The rule score (fit + decayed interest, from
#    the SLA config) ranks leads; a calibrated model turns the same signals into a
#    probability of reaching SQL within `funnel.window_days`. Compare their ranking
#    (ROC AUC, lift) and their calibration (reliability curve, ECE, Brier).
# 2. **What would another threshold do?** MQL volume, sales workload against the reps'
#    weekly capacity, MQL -> SQL conversion, expected SQLs and pipeline per month.
#
# Everything is computed by `analytics.scoring` (`model`, `calibration`, `rules`,
# `thresholds`, `report`). In JupyterLab the threshold is a slider; executed headless (the
# tests) the same numbers print as static tables.
#
# **Which SLA.** Today's threshold, scoring points and window are those of the SLA version
# in force in the month of the data's last timestamp (`config_at`: the version recorded in
# the warehouse, the config file where none is), as that month's review and the alerts
# judge it; the month table says which version judged each month.
#
# **What the data must hold.** The rule score's interest points come from the marketing
# activities, its fit points from the leads' scored attributes, and whether a lead
# converted from its SQL (lifecycle events). Where the data lacks one (an export of leads
# and stages only, HubSpot's or Salesforce's contacts without activities, Olist's won
# deals only), the parts that need it print "–" and the reason, as `sla score report` and
# the Lead qualification page do; nothing is judged from what is missing.
# **An export without dates** (X Education's file: every row is dated the file's day)
# answers nothing here: a score is judged on leads whose conversion window has closed,
# trained on older leads and tested on newer ones, and a threshold is replayed month by
# month, all of which need the day each lead came and converted. The warehouse keeps the
# file's leads and conversions, not the website behaviour (visits, time on site) a model of
# that file would learn from; the file's conversion as a whole holds, a score of it does not.

# %%
import os

import altair as alt
import polars as pl
from IPython.display import display

from analytics.config import load_config
from analytics.coverage import known_coverage
from analytics.funnel import monthly_volumes
from analytics.notebook import config_path, covered, is_interactive, warehouse_path
from analytics.scoring.calibration import lift_table, reliability_table, score_band_table
from analytics.scoring.model import scoring_samples, train_and_evaluate
from analytics.scoring.reasons import (
    global_importance,
    lead_list,
    model_factors,
    rule_score_reasons,
)
from analytics.scoring.report import score_reasons
from analytics.scoring.rules import horizon_note, score_grid
from analytics.scoring.thresholds import (
    compare_thresholds,
    precompute_from_predictions,
    precompute_thresholds,
    recommend_threshold,
    slider_top,
    threshold_table,
)
from analytics.sla_versions import config_at, config_for_month, month_zones
from analytics.warehouse import connect_readonly, load_tables
from analytics.warehouse.config_history import stored_configs


def wide() -> pl.Config:
    """Show every row and column of a table (the threshold tables are long and wide)."""
    return pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=220, float_precision=4)


# %% tags=["parameters"]
# Sliders in a Jupyter server's kernel; static tables when executed headless.
INTERACTIVE = is_interactive() or os.environ.get("SLA_INTERACTIVE") == "1"
TARGET = "sql"  # or "won"
NEW_THRESHOLD = None  # the threshold to compare with today's (default: the recommended one)

# %%
config = load_config(config_path())
con = connect_readonly(warehouse_path())
tables = load_tables(con).collect()
as_of = tables.latest_timestamp()
versions = stored_configs(con)
# today's threshold, points and window: the version that judges the month of as_of
judged_by = config_at(versions, moment=as_of, fallback=config)
this_month = month_zones(versions, fallback=config).month_at(as_of)
CURRENT = judged_by.scoring.mql_threshold
TZ = judged_by.reporting.timezone
sla = judged_by.sla
print(
    f"data as of {as_of:%Y-%m-%d}; SLA version {sla.version} (in force from "
    f"{sla.effective_from}): MQL threshold {CURRENT:g}; interactive={INTERACTIVE}"
)
if (config.sla.version, config.sla.effective_from) != (sla.version, sla.effective_from):
    print(
        f"The config file's version {config.sla.version} (from {config.sla.effective_from}, "
        f"threshold {config.scoring.mql_threshold:g}) does not judge {this_month}."
    )
# what the data can answer, as `sla score report` and the Lead qualification page say it:
# without activities the score is the fit points alone; without a scored attribute every
# lead has 0 fit points; where no SQL is counted (never imported, only for won deals, an
# undated export) nothing says which leads converted
REASONS = score_reasons(tables, judged_by, as_of=as_of)
UNSCORED = REASONS.rule_score  # sla score report's rule_score_reason

for part, why in (
    ("rule score (quality, calibration, thresholds)", UNSCORED),
    ("interest points and grades", REASONS.interest),
    ("fit points and grades", REASONS.fit),
    (f"which leads reached {TARGET}", REASONS.outcome(TARGET)),
):
    print(f"{part}: {'measured' if why is None else f'– {why}'}")

# %% [markdown]
# ## Rule score vs model on newer leads
# `train_and_evaluate` trains on the older 70 % of leads (by scoring moment) and tests on
# the newest 30 %, so the comparison is honest about time. The rule score becomes a
# probability through an isotonic map fitted on the training leads. `uncalibrated` is
# the same model without calibration: it ranks the same but its probabilities are off.
# Where the rule score cannot be judged its row is null ("–") and says why; the model,
# which learns from what the data holds, is still judged.

# %%
# as `sla score report`: no SQL stage counted (never imported, only for won deals, an
# undated export) says why first; else too little history whose outcome is known. Then
# the cells that need the model print "skipped" and why.
evaluation = None
UNEVALUATED = REASONS.outcome(TARGET)
if UNEVALUATED is None:
    try:
        evaluation = train_and_evaluate(tables, judged_by, target=TARGET, as_of=as_of)
    except ValueError as exc:
        UNEVALUATED = str(exc)
if evaluation is None:
    print(f"No score can be judged on this data: {UNEVALUATED}")
    SKIPPED = f"skipped: {UNEVALUATED}"
else:
    quality = ["n", "positives", "roc_auc", "pr_auc", "brier", "log_loss", "ece"]
    metrics = pl.DataFrame([{"score": name, **m} for name, m in evaluation.metrics.items()])
    unjudged = pl.col("score") == "rule_score" if UNSCORED else pl.lit(False)
    metrics = metrics.select(
        "score", *[pl.when(~unjudged).then(pl.col(c)).alias(c) for c in quality]
    )
    if UNSCORED:
        print(f"rule_score: – {UNSCORED}")
    display(metrics)

# %% [markdown]
# ## Reliability: predicted vs observed
# Each point is a bin of predicted probability; a calibrated score lies on the diagonal.
# Bars are 95 % Wilson intervals of the observed rate (few leads: wide bars).

# %%
if evaluation is None:  # no model to judge: say so, do not fail
    print(SKIPPED)
else:
    test = evaluation.test
    columns = {
        "model": "model_probability",
        "rule score (mapped)": "rule_probability",
        "uncalibrated": "uncalibrated_probability",
    }
    if UNSCORED:  # no rule score of the SLA to map
        del columns["rule score (mapped)"]
        print(f"rule score: – {UNSCORED}")
    reliability = pl.concat(
        [
            reliability_table(test["y"], test[col]).with_columns(score=pl.lit(name))
            for name, col in columns.items()
        ]
    )
    top = max(
        0.05, float(reliability["mean_predicted"].max()), float(reliability["observed"].max())
    )
    diagonal = alt.Chart(pl.DataFrame({"p": [0.0, top]})).mark_line(color="grey", strokeDash=[4, 4])
    points = alt.Chart(reliability).encode(
        x=alt.X("mean_predicted:Q", title="mean predicted probability", axis=alt.Axis(format="%")),
        color="score:N",
    )
    display(
        (
            diagonal.encode(x="p:Q", y="p:Q")
            + points.mark_line(point=True).encode(
                y=alt.Y("observed:Q", title="observed conversion", axis=alt.Axis(format="%")),
                tooltip=["score", "count", "converted", alt.Tooltip("observed:Q", format=".1%")],
            )
            + points.mark_rule().encode(y="ci_low:Q", y2="ci_high:Q")
        ).properties(width=420, height=380)
    )

# %%
if evaluation is None:  # no model to judge: say so, do not fail
    print(SKIPPED)
else:
    display(reliability.filter(pl.col("score") == "model"))

# %% [markdown]
# ## Lift: how much better than random is the top of the list?
# Leads ranked by each score, cut into ten equal groups. If sales can only call the top
# 20 %, `cumulative_recall` of decile 2 is the share of all conversions they reach.

# %%
if evaluation is None:  # no model to judge: say so, do not fail
    print(SKIPPED)
else:
    ranked = {"model": "model_probability", "rule score": "rule_score"}
    if UNSCORED:  # the fit points alone: not the SLA's score
        del ranked["rule score"]
        print(f"rule score: – {UNSCORED}")
    lift = pl.concat(
        [
            lift_table(test["y"], test[col]).with_columns(score=pl.lit(name))
            for name, col in ranked.items()
        ]
    )
    display(lift.pivot(on="score", index="decile", values="cumulative_recall"))

# %% [markdown]
# ## What a rule score means as a probability
# The test leads (the newest 30 %, each scored when it was created) in bands of 10 points of
# rule score: how many there were, how many converted, the observed rate with its 95 %
# Wilson interval, and `mean_predicted`, what the isotonic map fitted on the older leads
# said of them. Only bands that hold a test lead are shown: nothing is said of a score no
# lead had. A band of a few leads has a wide interval; read its rate with it before putting
# it next to the threshold when the SLA is reviewed.

# %%
if evaluation is None:  # no model to judge: say so, do not fail
    print(SKIPPED)
elif UNSCORED:
    print(f"– {UNSCORED}")
else:
    bands = score_band_table(test["y"], test["rule_score"], y_prob=test["rule_probability"])
    at_current = bands.filter(
        (pl.col("band_start") <= CURRENT) & (pl.col("band_end") > CURRENT)
    ).rows(named=True)
    if at_current:
        b = at_current[0]
        print(
            f"today's threshold {CURRENT:g} lies in band {b['band_start']:g}-{b['band_end']:g}: "
            f"{b['converted']} of {b['leads']} test leads converted ({b['rate']:.1%}, 95 % "
            f"{b['ci_low']:.1%}-{b['ci_high']:.1%}); the map said {b['mean_predicted']:.1%}"
        )
    else:
        print(f"no test lead scored {CURRENT:g} or close to it when it was created")
    display(bands)

# %% [markdown]
# ## Fit x interest grid
# Conversion per grade cell (A-D fit, 1-4 interest; cut points `scoring.fit_grades` and
# `scoring.interest_grades`) for every lead whose window has closed: converted / leads and
# the rate (`grid` holds the numbers with their 95 % intervals). The grid needs both grades
# and the outcome: where one cannot be measured it is not shown, and says why.

# %%
GRID_UNKNOWN = REASONS.grid(TARGET)
if GRID_UNKNOWN:
    grid = None
    print(f"– {GRID_UNKNOWN}")
else:
    samples = scoring_samples(tables, judged_by, as_of=as_of).filter(pl.col("is_mature"))
    grid = score_grid(
        samples.select("fit_points", "interest_points", pl.col(TARGET).alias("converted")),
        judged_by,
    ).collect()
    cell = (
        pl.when(pl.col("leads") > 0)
        .then(pl.format("{} / {} ({}%)", "converted", "leads", (pl.col("rate") * 100).round(1)))
        .otherwise(pl.lit("– (0 leads)"))
    )
    display(
        grid.with_columns(cell.alias("cell")).pivot(
            on="interest_grade", index="fit_grade", values="cell"
        )
    )

# %% [markdown]
# ## Threshold tuning
# Under threshold T a lead becomes an MQL the first time its rule score reaches T; its
# outcome is what actually happened (a what-if on observed behaviour, not an experiment).
#
# **Observed or estimated.** Leads that never reached today's threshold were never handed
# over, so below it the outcomes are not observed: `basis` says so, and
# `estimated_sqls_per_month` adds a model estimate for those leads with its range
# (`estimated_sqls_low`: only the SQLs that happened; `estimated_sqls_high`: they convert
# like the handed-over leads nearest the threshold). `precision` is MQL -> SQL over the
# mature MQLs: `converted_mqls` of `mature_mqls`. The recommendation keeps, lowers or
# raises today's threshold on the *observed* extra SQLs per extra MQL against
# `scoring.min_extra_sqls_per_extra_mql`, within the reps' capacity; a gain that rests on
# never-handed-over leads is named as a trial, never recommended. Without a rule score
# there is no table and no recommendation (as `sla score report`).

# %%
base = table = recommended = None
if UNSCORED:  # the fit points alone would read "0 MQLs a month at today's threshold"
    print(f"No threshold table and no recommendation: {UNSCORED}")
else:
    base = precompute_thresholds(tables, judged_by, as_of=as_of)
    table = threshold_table(base)
    horizon = (
        None
        if base.outcomes_until is None
        else horizon_note(
            base.outcomes_until,
            as_of,
            window_days=judged_by.funnel.window_days,
            loaded_at=tables.loaded_at,
        )
    )
    recommended, reason = recommend_threshold(
        table,
        current=CURRENT,
        minimum=judged_by.scoring.min_extra_sqls_per_extra_mql,
        horizon=horizon,
    )
    print(reason)
    shown = [
        "threshold", "mqls_per_month", "workload_ratio", "precision", "converted_mqls",
        "mature_mqls", "basis", "unobserved_share", "expected_sqls_per_month",
        "estimated_sqls_per_month", "estimated_sqls_low", "estimated_sqls_high",
        "extra_sqls_per_extra_mql",
    ]  # fmt: skip
    with wide():  # every row: today's and the recommended
        display(table.select(shown))

# %%
if UNSCORED:
    print(f"– {UNSCORED}")
else:
    marks = pl.DataFrame(
        {"threshold": [CURRENT, recommended or CURRENT], "which": ["current", "recommended"]}
    )
    rules = alt.Chart(marks).mark_rule(strokeDash=[4, 4]).encode(x="threshold:Q", color="which:N")
    measures = ("mqls_per_week", "workload_ratio", "precision", "expected_sqls_per_month")
    display(
        alt.concat(
            *[
                alt.Chart(table)
                .mark_line(point=True)
                .encode(x="threshold:Q", y=alt.Y(f"{measure}:Q"), tooltip=["threshold", measure])
                .properties(width=260, height=150, title=measure)
                + rules
                for measure in measures
            ],
            columns=2,
        )
    )

# %% [markdown]
# ### Try a threshold
# Today's threshold and a new one side by side: the summary rows, then each month. Per
# month: the SLA version that judged it and its threshold; `mqls`, the month's MQLs as the
# review counts them (every trigger: score, demo request, contact request...); then the
# rule score's **replay** (`replayed_*`: leads whose score first reached the threshold
# that month, with today's scoring) at today's threshold and at the new one, the workload
# against capacity and MQL -> SQL (`converted_*` of `mature_*`). In JupyterLab, move the
# slider (it reaches today's threshold and the top score); headless, the new threshold is
# `NEW_THRESHOLD`, else the recommended one.

# %%
if not UNSCORED:  # what the review counts: the MQLs of every month the table shows
    first_month = min(base.months).strftime("%Y-%m") if base.months else None
    recorded = (
        covered(
            monthly_volumes(
                tables, config=judged_by, month=first_month, months=len(base.months)
            ).select("month", "mqls"),
            coverage=known_coverage(tables, config=judged_by, as_of=as_of),
            timezone=TZ,
        )
        if first_month
        else pl.DataFrame(schema={"month": pl.String, "mqls": pl.Int64})
    )
    # the SLA version that judged each month (its review's), and its threshold
    in_force = {m: config_for_month(versions, month=m, fallback=config) for m in recorded["month"]}
    version_of = {m: c.sla.version for m, c in in_force.items()}
    threshold_of = {m: float(c.scoring.mql_threshold) for m, c in in_force.items()}


def months_at(threshold: float) -> pl.DataFrame:
    """Each month: its SLA version, the review's MQLs, the replay at today's and ``threshold``."""
    replay = compare_thresholds(base, threshold=threshold, current=CURRENT).collect()
    sides = ("current", "new") if threshold != CURRENT else ("current",)
    names = {"mqls": "replayed", "workload_ratio": "workload"}
    month = pl.col("month")
    return (
        replay.with_columns(month.dt.strftime("%Y-%m"))
        .join(recorded, on="month", how="left")
        .select(
            "month",
            month.replace_strict(version_of, return_dtype=pl.String).alias("sla_version"),
            month.replace_strict(threshold_of, return_dtype=pl.Float64).alias("sla_threshold"),
            "mqls",
            *[
                pl.col(f"{c}_{side}").alias(f"{names.get(c, c)}_{side}")
                for c in ("mqls", "workload_ratio", "converted", "mature", "rate")
                for side in sides
            ],
        )
    )


def compare(threshold: float) -> None:
    """Display today's and the new threshold's summaries and months."""
    with wide():
        display(threshold_table(base, thresholds=sorted({CURRENT, threshold})).select(shown))
        display(months_at(threshold))


if UNSCORED:
    print(f"– {UNSCORED}")
else:
    moved = {(c.sla.version, c.scoring.mql_threshold) for c in in_force.values()}
    if any(t != CURRENT for _, t in moved):  # where the line moved: its months say so
        print(
            "the SLA's threshold changed within these months ("
            + ", ".join(f"{v}: {t:g}" for v, t in sorted(moved))
            + "): each month's MQLs followed its own version; the replay uses today's scoring"
        )
    new = NEW_THRESHOLD if NEW_THRESHOLD is not None else recommended
    if INTERACTIVE:
        import ipywidgets as widgets

        # the page's slider range: up to the top score, and always today's threshold
        top = max(slider_top(table, CURRENT), new or 0.0)
        widgets.interact(
            compare,
            threshold=widgets.FloatSlider(
                value=CURRENT if new is None else new,
                min=0.0,
                max=top,
                step=1.0,
                continuous_update=False,
            ),
        )
    else:
        static = sorted({t for t in (CURRENT - 10, CURRENT, CURRENT + 10, new) if t is not None})
        print(f"thresholds {', '.join(f'{t:g}' for t in static)}; today's {CURRENT:g}:")
        with wide():
            display(threshold_table(base, thresholds=static).select(shown))
        if new is None or new == CURRENT:
            print(
                f"today's threshold {CURRENT:g}, month by month (no other threshold "
                "recommended; set NEW_THRESHOLD to compare one):"
            )
            with wide():
                display(months_at(CURRENT))
        else:
            which = "NEW_THRESHOLD" if NEW_THRESHOLD is not None else "recommended"
            print(f"today's {CURRENT:g} vs {new:g} ({which}), month by month:")
            compare(new)

# %% [markdown]
# ## The same tuning for the model's probability
# If the SLA moved from the rule score to the model, the threshold would be a
# probability. Scored once per test lead (at its scoring moment), so volumes cover the
# test months only.

# %%
if evaluation is None:  # no model to judge: say so, do not fail
    print(SKIPPED)
else:
    predictions = test.lazy().select(
        "lead_id", pl.col("scored_at").alias("at"), pl.col("model_probability").alias("score")
    )
    model_base = precompute_from_predictions(predictions, tables, judged_by, as_of=as_of)
    model_table = threshold_table(model_base)
    model_recommended, model_reason = recommend_threshold(model_table)
    print(model_reason)
    display(model_table.filter(pl.col("mqls_per_month") > 0))

# %% [markdown]
# ## Reasons per lead
# **Rule score**: the points behind each lead's score, by attribute (fit) and activity type
# (interest, decayed to the moment, capped per type), with what the caps take off; the rows
# sum to the score. Today's open leads with the highest score (as on the Lead qualification
# page: without activities there is no rule score to rank them by; points and grades the
# data cannot measure are null, never 0 or grade D):

# %%
open_leads = None
if REASONS.interest:
    print(f"– {REASONS.interest}")
else:
    open_leads = REASONS.known(lead_list(tables, judged_by, as_of=as_of, limit=5))
    if REASONS.fit:
        print(f"fit_points, fit_grade: – {REASONS.fit}")
    display(open_leads)

# %%
if open_leads is None or open_leads.is_empty():
    print(f"– {REASONS.interest or 'no open lead'}")
else:
    top_lead = open_leads["lead_id"][0]
    display(
        rule_score_reasons(tables, judged_by, pl.LazyFrame({"lead_id": [top_lead], "at": [as_of]}))
    )

# %% [markdown]
# **Model**: globally, scikit-learn's permutation importance on the test leads (the drop in
# ROC AUC when a feature is shuffled); per lead, each feature's effect on the probability
# against a typical lead (the feature set to the training rows' most frequent value or
# median), the top three per lead, for the test leads the model rates highest.

# %%
if evaluation is None:  # no model to judge: say so, do not fail
    print(SKIPPED)
else:
    model = evaluation.model
    test_samples = scoring_samples(tables, judged_by, as_of=as_of).filter(pl.col("is_mature"))
    test_samples = test_samples.join(
        test.lazy().select("lead_id"), on="lead_id", how="semi"
    ).collect()
    display(global_importance(model, test_samples, label=TARGET, n_repeats=2).head(10))

# %%
if evaluation is None:  # no model to judge: say so, do not fail
    print(SKIPPED)
else:
    best = test.sort("model_probability", descending=True).head(5).select("lead_id")
    display(
        model_factors(
            model, test_samples.join(best, on="lead_id", how="semi"), typical=model.card["typical"]
        )
    )
