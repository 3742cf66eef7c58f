"""Data: warehouse health, importing canonical files from the browser, config versions."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from analytics.schema import LOAD_ORDER, TABLES
from analytics.texts import term
from analytics.warehouse.loader import header_width
from analytics.warehouse.validate import reason_texts
from dashboard import access, data, ui
from dashboard.i18n import moment, num, t

#: Most columns an uploaded CSV may have (counted in its header before it is parsed).
MAX_COLUMNS = 500
#: Largest file the upload accepts, in MB: Streamlit's ``server.maxUploadSize``
#: (``.streamlit/config.toml``, 200; or ``STREAMLIT_SERVER_MAX_UPLOAD_SIZE``).
MAX_UPLOAD_MB = int(st.get_option("server.maxUploadSize"))

lg = ui.lang()
state, _ = data.warehouse_state()
st.title(t("data_title", lg))

# -- health -----------------------------------------------------------------------------
if state == "ok":
    health = data.health()
    counts = health["counts"]
    st.subheader(t("health", lg))
    st.caption(f"`{data.db_path()}` · {t('as_of', lg)} {moment(data.as_of(), lg)}")
    cols = st.columns(5)
    for i, (name, n) in enumerate(counts.items()):
        ui.big_number(term("table", name, lang=lg), num(n, lg), container=cols[i % 5])
    st.subheader(t("coverage_title", lg))
    st.caption(t("coverage_intro", lg))
    ui.coverage_table(data.coverage(), lg)
    # reasons are stored in English: shown in the UI language (older imports' too)
    quarantine = health["quarantine"]
    quarantine = quarantine.with_columns(reason_texts(quarantine["reason"], lang=lg))
    st.subheader(f"{t('quarantine', lg)} ({num(quarantine.height, lg)})")
    if quarantine.height == 0:
        st.success(t("quarantine_empty", lg))
    else:
        reasons = (
            quarantine.group_by("table_name", "column", "reason")
            .agg(pl.len().alias("rows"))
            .sort(
                "rows",
                "table_name",
                "column",
                "reason",
                descending=[True, False, False, False],
                nulls_last=True,
            )
        )
        ui.table(reasons)
        ui.table(quarantine)
        ui.download(quarantine, "quarantine", lg)
    with st.expander(t("loads", lg)):
        ui.table(health["loads"])

    # nurture tracks the config does not know
    st.subheader(t("unknown_tracks", lg))
    known = set(data.config().tracks_by_name)
    tracks = data.tracks_in_data().with_columns(pl.col("track").is_in(known).alias("in_config"))
    unknown = tracks.filter(~pl.col("in_config"))
    if unknown.height == 0:
        st.success(t("unknown_tracks_none", lg))
    else:
        st.warning(
            ", ".join(
                f"**{ui.md(r['track'])}** ({num(r['enrollments'], lg)})"
                for r in unknown.iter_rows(named=True)
            )
        )
    ui.table(tracks)

    st.subheader(t("config_versions", lg))
    versions = health["config_versions"].drop("content")
    ui.table(versions)
else:
    st.info(t("welcome_upload", lg))

# -- upload ------------------------------------------------------------------------------
viewer = access.current()  # only admins import, and nobody in a read-only app
if not viewer.may_write:
    st.info(t("read_only_app" if viewer.readonly else "read_only", lg), icon=":material/lock:")
    st.stop()
st.subheader(t("upload", lg))
allowed = ", ".join(LOAD_ORDER)
files = st.file_uploader(
    t("upload_help", lg, mb=MAX_UPLOAD_MB),
    type=["csv", "parquet"],
    accept_multiple_files=True,
    max_upload_size=MAX_UPLOAD_MB,
    key="upload",
)
problems: list[str] = []
chosen: dict[str, object] = {}
for f in files or []:
    path = Path(f.name)
    table, suffix = path.stem.lower(), path.suffix.lower()
    if table not in TABLES or suffix not in (".csv", ".parquet"):
        problems.append(t("upload_bad_name", lg, name=f.name, allowed=allowed))
    elif table in chosen:
        problems.append(t("upload_duplicate", lg, name=f.name, table=table))
    elif f.size > MAX_UPLOAD_MB * 1024 * 1024:
        problems.append(
            t("upload_too_big", lg, name=f.name, mb=f.size / 1048576, limit=MAX_UPLOAD_MB)
        )
    elif suffix == ".csv" and (width := header_width(f.getvalue()[: 1 << 20])) > MAX_COLUMNS:
        problems.append(t("upload_too_wide", lg, name=f.name, n=width, limit=MAX_COLUMNS))
    else:
        chosen[table] = f
for p in problems:
    st.error(p)
replace = st.toggle(t("upload_replace", lg), value=False, key="upload_replace")
if chosen and not problems and st.button(t("upload_button", lg), type="primary"):
    from analytics.warehouse import ImportFailed

    with tempfile.TemporaryDirectory(prefix="sla-upload-") as tmp:
        for f in chosen.values():
            (Path(tmp) / Path(f.name).name.lower()).write_bytes(f.getvalue())
        try:
            with st.spinner("…"):
                result = data.import_files(Path(tmp), replace=replace)
        except ImportFailed as exc:
            st.session_state["import_error"] = str(exc).replace(tmp + "/", "")
        else:
            st.session_state["import_result"] = {
                "loaded": result.loaded,
                "rejected": [{**r, "file": Path(str(r["file"])).name} for r in result.rejected],
                "rows_rejected": result.rows_rejected,
                "dropped": result.dropped_columns,
                "masked": result.masked_columns,
                "changes": result.changes,
            }
    st.rerun()

if "import_error" in st.session_state:
    st.error(t("upload_failed", lg, error=st.session_state.pop("import_error")))
if "import_result" in st.session_state:
    done = st.session_state.pop("import_result")
    loaded = ", ".join(f"{k} {num(v, lg)}" for k, v in done["loaded"].items()) or "–"
    st.success(t("upload_done", lg, loaded=loaded))
    for name, counts in done.get("changes", {}).items():
        st.caption(
            t("upload_changes", lg, table=name, **{k: num(v, lg) for k, v in counts.items()})
        )
    for file, columns in done.get("dropped", {}).items():
        st.info(t("upload_dropped", lg, file=file, columns=", ".join(columns)))
    for file, columns in done.get("masked", {}).items():
        st.info(t("upload_masked", lg, file=file, columns=", ".join(columns)))
    if done["rejected"]:
        st.warning(t("upload_rejected", lg, n=done["rows_rejected"]))
        rejected = pl.DataFrame(done["rejected"], infer_schema_length=None)
        ui.table(rejected.with_columns(reason_texts(rejected["reason"], lang=lg)))
