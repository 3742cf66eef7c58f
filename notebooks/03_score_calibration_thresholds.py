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
#    `data/sla.toml`) ranks leads; a calibrated model turns the same signals into a
#    probability of reaching SQL within `funnel.window_days`. Compare their ranking
#    (ROC AUC, lift) and their calibration (reliability curve, ECE, Brier).
# 2. **What would another threshold do?** MQL volume, sales workload against the reps'
#    weekly capacity, MQL -> SQL conversion, expected SQLs and pipeline per month.
#
# Everything is computed by `analytics.scoring` (`model`, `calibration`, `rules`,
# `thresholds`). In JupyterLab the threshold is a slider; executed headless (the tests)
# the same numbers print as static tables.

# %%
import os

import altair as alt
import polars as pl
from IPython.display import display

from analytics.config import load_config
from analytics.notebook import config_path, is_interactive, warehouse_path
from analytics.scoring.calibration import ScoreMapping, lift_table, reliability_table
from analytics.scoring.model import scoring_samples, train_and_evaluate
from analytics.scoring.reasons import (
    global_importance,
    lead_list,
    model_factors,
    rule_score_reasons,
)
from analytics.scoring.report import label_reason, rule_score_reason
from analytics.scoring.rules import score_grid
from analytics.scoring.thresholds import (
    compare_thresholds,
    precompute_from_predictions,
    precompute_thresholds,
    recommend_threshold,
    threshold_table,
)
from analytics.warehouse import connect_readonly, load_tables

# %% tags=["parameters"]
# Sliders in a Jupyter server's kernel; static tables when executed headless.
INTERACTIVE = is_interactive() or os.environ.get("SLA_INTERACTIVE") == "1"
TARGET = "sql"  # or "won"

# %%
config = load_config(config_path())
con = connect_readonly(warehouse_path())
tables = load_tables(con).collect()
as_of = tables.latest_timestamp()
CURRENT = config.scoring.mql_threshold
print(f"data as of {as_of:%Y-%m-%d}; current MQL threshold {CURRENT:g}; interactive={INTERACTIVE}")
# the rule score's interest points come from the activities: without any, the score below
# is the fit points alone; and where no SQL is counted (never imported, only for won deals,
# an undated export) nothing says which leads converted. Either way what this notebook
# says of the rule score is no verdict (the reasons `sla score report` gives)
UNLABELLED = label_reason(tables, config, as_of=as_of)
UNSCORED = rule_score_reason(tables, as_of=as_of) or UNLABELLED
if UNSCORED:
    print(f"The rule score cannot be judged: {UNSCORED}")

# %% [markdown]
# ## Rule score vs model on newer leads
# `train_and_evaluate` trains on the older 70 % of leads (by scoring moment) and tests on
# the newest 30 %, so the comparison is honest about time. The rule score becomes a
# probability through an isotonic map fitted on the training leads. `uncalibrated` is
# the same model without calibration: it ranks the same but its probabilities are off.

# %%
# as `sla score report`: no SQL stage counted (never imported, only for won deals, an
# undated export) says why first; else too little history whose outcome is known. Then
# the cells that need the model print "skipped" and why; the threshold table needs none.
evaluation = None
UNEVALUATED = UNLABELLED if TARGET == "sql" else None
if UNEVALUATED is None:
    try:
        evaluation = train_and_evaluate(tables, config, target=TARGET, as_of=as_of)
    except ValueError as exc:
        UNEVALUATED = str(exc)
if evaluation is None:
    print(f"No score can be judged on this data: {UNEVALUATED}")
    SKIPPED = f"skipped: {UNEVALUATED}"
else:
    metrics = pl.DataFrame([{"score": name, **m} for name, m in evaluation.metrics.items()])
    display(
        metrics.select("score", "n", "positives", "roc_auc", "pr_auc", "brier", "log_loss", "ece")
    )

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
    lift = pl.concat(
        [
            lift_table(test["y"], test["model_probability"]).with_columns(score=pl.lit("model")),
            lift_table(test["y"], test["rule_score"]).with_columns(score=pl.lit("rule score")),
        ]
    )
    display(lift.pivot(on="score", index="decile", values="cumulative_recall"))

# %% [markdown]
# ## What a rule score means as a probability
# An isotonic map from rule score to observed conversion on the test leads: the number
# to put next to the threshold when the SLA is reviewed.

# %%
if evaluation is None:  # no model to judge: say so, do not fail
    print(SKIPPED)
else:
    mapping = ScoreMapping().fit(test["rule_score"], test["y"])
    display(mapping.table(scores=list(range(0, 111, 10))))

# %% [markdown]
# ## Fit x interest grid
# Conversion per grade cell (A-D fit, 1-4 interest; cut points `scoring.fit_grades` and
# `scoring.interest_grades`) for every lead whose window has closed.

# %%
samples = scoring_samples(tables, config, as_of=as_of).filter(pl.col("is_mature"))
grid = score_grid(
    samples.select("fit_points", "interest_points", pl.col(TARGET).alias("converted")), config
).collect()
grid.pivot(on="interest_grade", index="fit_grade", values="rate")

# %% [markdown]
# ## Threshold tuning
# Under threshold T a lead becomes an MQL the first time its rule score reaches T; its
# outcome is what actually happened (a what-if on observed behaviour, not an experiment).
#
# **Observed or estimated.** Leads that never reached today's threshold were never handed
# over, so below it the outcomes are not observed: `basis` says so, and
# `estimated_sqls_per_month` adds a model estimate for those leads with its range
# (`estimated_sqls_low`: only the SQLs that happened; `estimated_sqls_high`: they convert
# like the handed-over leads nearest the threshold). The recommendation keeps, lowers or
# raises today's threshold on the *observed* extra SQLs per extra MQL against
# `scoring.min_extra_sqls_per_extra_mql`, within the reps' capacity; a gain that rests on
# never-handed-over leads is named as a trial, never recommended.

# %%
base = precompute_thresholds(tables, config, as_of=as_of)
table = threshold_table(base)
recommended, reason = recommend_threshold(
    table, current=CURRENT, minimum=config.scoring.min_extra_sqls_per_extra_mql
)
print(f"No recommendation: {UNSCORED}" if UNSCORED else reason)
table.select(
    "threshold", "mqls_per_month", "workload_ratio", "basis", "unobserved_share",
    "expected_sqls_per_month", "estimated_sqls_per_month", "estimated_sqls_low",
    "estimated_sqls_high", "extra_sqls_per_extra_mql",
)  # fmt: skip

# %%
marks = pl.DataFrame(
    {"threshold": [CURRENT, recommended or CURRENT], "which": ["current", "recommended"]}
)
rules = alt.Chart(marks).mark_rule(strokeDash=[4, 4]).encode(x="threshold:Q", color="which:N")
alt.concat(
    *[
        alt.Chart(table)
        .mark_line(point=True)
        .encode(x="threshold:Q", y=alt.Y(f"{measure}:Q"), tooltip=["threshold", measure])
        .properties(width=260, height=150, title=measure)
        + rules
        for measure in ("mqls_per_week", "workload_ratio", "precision", "expected_sqls_per_month")
    ],
    columns=2,
)

# %% [markdown]
# ### Try a threshold
# The current threshold and a new one side by side: the summary rows, then each month
# (MQLs, MQLs a week, workload against capacity, MQL -> SQL of the mature MQLs). In
# JupyterLab, move the slider; headless, the new threshold is the recommended one.


# %%
def compare(threshold: float) -> pl.DataFrame:
    """Display the current and the new threshold's summaries and months; return the months."""
    display(threshold_table(base, thresholds=[CURRENT, threshold]))
    months = compare_thresholds(base, threshold=threshold).collect()
    display(months)
    return months


if INTERACTIVE:
    import ipywidgets as widgets

    top_score = float(base.records["score"].max() or 100.0)
    widgets.interact(
        compare,
        threshold=widgets.FloatSlider(
            value=recommended or CURRENT, min=0.0, max=top_score, step=1.0, continuous_update=False
        ),
    )
else:
    static = sorted(
        {t for t in (CURRENT - 10, CURRENT, CURRENT + 10, recommended) if t is not None}
    )
    new = recommended if recommended is not None else CURRENT
    print(f"thresholds {', '.join(f'{t:g}' for t in static)}; current {CURRENT:g}:")
    display(threshold_table(base, thresholds=static))
    print(f"current {CURRENT:g} vs {new:g}, month by month:")
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
    model_base = precompute_from_predictions(predictions, tables, config, as_of=as_of)
    model_table = threshold_table(model_base)
    model_recommended, model_reason = recommend_threshold(model_table)
    print(model_reason)
    display(model_table.filter(pl.col("mqls_per_month") > 0))

# %% [markdown]
# ## Reasons per lead
# **Rule score**: the points behind each lead's score, by attribute (fit) and activity type
# (interest, decayed to the moment, capped per type), with what the caps take off; the rows
# sum to the score. Today's open leads with the highest score:

# %%
open_leads = lead_list(tables, config, as_of=as_of, limit=5)
open_leads

# %%
top_lead = open_leads["lead_id"][0]
rule_score_reasons(tables, config, pl.LazyFrame({"lead_id": [top_lead], "at": [as_of]}))

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
    test_samples = scoring_samples(tables, config, as_of=as_of).filter(pl.col("is_mature"))
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
