"""Data: warehouse health, importing canonical files from the browser, config versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import streamlit as st

from analytics.schema import LOAD_ORDER, TABLES
from analytics.texts import render, term
from analytics.warehouse.archive import ARCHIVE_SUFFIXES
from analytics.warehouse.loader import (
    CHANGE_KINDS,
    EXPORT_SUFFIXES,
    TABLE_SUFFIXES,
    NamedPath,
    header_width,
)
from analytics.warehouse.validate import reason_texts, value_texts
from dashboard import access, data, ui
from dashboard.i18n import moment, num, t

#: Most columns an uploaded CSV may have (counted in its header before it is parsed).
MAX_COLUMNS = 500
#: Largest file the upload accepts, in MB: Streamlit's ``server.maxUploadSize``
#: (``.streamlit/config.toml``, 200; or ``STREAMLIT_SERVER_MAX_UPLOAD_SIZE``).
MAX_UPLOAD_MB = int(st.get_option("server.maxUploadSize"))
#: What the upload reads: the canonical format (also as a German office program saves it),
#: the CRM exports of ``sla import --format``, and any CSV with a mapping file.
UPLOAD_FORMATS = ("canonical", "hubspot", "salesforce", "olist", "xeducation", "mapping")
#: The formats whose deals may be chosen by kind: the import option (its field on the page)
#: and an example of a new-business kind.
DEAL_KINDS = {
    "hubspot": ("pipelines", "Sales Pipeline"),
    "salesforce": ("opportunity_types", "New Business"),
}
data.sweep_uploads(keep=st.session_state.get("upload_preview"))
lg = ui.lang()
state, error = data.warehouse_state()
st.title(t("data_title", lg))
if state == "bad_name":  # nothing can be imported into a file of that name
    st.error(ui.bad_warehouse_name(error, lg))
    st.stop()

# -- health -----------------------------------------------------------------------------
if state == "ok":
    health = data.health()
    counts = health["counts"]
    st.subheader(t("health", lg))
    st.caption(f"`{data.db_path()}` · {t('as_of', lg)} {moment(data.as_of(), lg)}")
    ui.tiles([ui.Tile(term("table", name, lang=lg), num(n, lg)) for name, n in counts.items()])
    st.subheader(t("coverage_title", lg))
    st.caption(t("coverage_intro", lg))
    ui.coverage_table(data.coverage(), lg)
    # reasons are stored in English: shown in the UI language (older imports' too)
    quarantine = health["quarantine"]
    quarantine = quarantine.with_columns(
        reason_texts(quarantine["reason"], lang=lg), value_texts(quarantine["value"], lang=lg)
    )
    if quarantine["source_column"].null_count() == quarantine.height:  # canonical files only
        quarantine = quarantine.drop("source_column")
    st.subheader(f"{t('quarantine', lg)} ({num(quarantine.height, lg)})")
    if quarantine.height == 0:
        st.success(t("quarantine_empty", lg))
    else:
        # an export's rows: the column its file has beside the canonical one it fills
        named = [c for c in ("column", "source_column") if c in quarantine.columns]
        reasons = (
            quarantine.group_by("table_name", *named, "reason", maintain_order=True)
            .agg(pl.len().alias("rows"))
            .sort(
                "rows",
                "table_name",
                *named,
                "reason",
                descending=[True, False, *(False for _ in named), False],
                nulls_last=True,
            )
        )
        ui.table(reasons)
        ui.table(quarantine)
        ui.download(quarantine, "quarantine", lg)
    # the load log, drawn when opened (a hidden grid is still drawn by the browser)
    log = st.expander(t("loads", lg), key="load_log", on_change="rerun")
    if log.open:
        with log:  # what each file said beyond its keys is a purge's bookkeeping
            ui.table(health["loads"].drop("scopes", strict=False))

    # nurture tracks the config does not know
    st.subheader(t("unknown_tracks", lg))
    known = set(data.config().tracks_by_name)
    tracks = data.tracks_in_data().with_columns(pl.col("track").is_in(known).alias("in_config"))
    unknown = tracks.filter(~pl.col("in_config"))
    if tracks.height == 0:  # no enrolment at all: nothing to check, not "all described"
        ui.no_data(render("coverage.reason.nurture", lang=lg))
    elif unknown.height == 0:
        st.success(t("unknown_tracks_none", lg))
    else:
        st.warning(
            ", ".join(
                f"**{ui.md(r['track'])}** ({num(r['enrollments'], lg)})"
                for r in unknown.iter_rows(named=True)
            )
        )
    if tracks.height:
        ui.static_table(tracks)

    st.subheader(t("config_versions", lg))
    versions = health["config_versions"]
    # the SLA's name in the UI language; the file it was read from as written (a column
    # named `source` would be shown as a lead source: "Data/sla.toml")
    name = pl.coalesce("name_de", "name") if lg == "de" else pl.col("name")
    versions = versions.with_columns(name.alias("name")).rename({"source": "config_file"})
    ui.table(versions.drop("name_de", "content"))  # a grid: hashes and paths are wide
else:
    st.info(t("welcome_upload", lg))

# -- upload ------------------------------------------------------------------------------
viewer = access.current()  # only admins import, and nobody in a read-only app
if not viewer.may_write:
    st.info(t("read_only_app" if viewer.readonly else "read_only", lg), icon=":material/lock:")
    st.stop()
st.subheader(t("upload", lg))
allowed = ", ".join(LOAD_ORDER)
ui.keep_choice("upload_format", UPLOAD_FORMATS, UPLOAD_FORMATS[0])  # across a language switch
fmt = st.selectbox(
    t("upload_format", lg),
    UPLOAD_FORMATS,
    format_func=lambda f: t(f"upload_fmt_{f}", lg),
    key="upload_format",
)
ui.uploader_style(lg)
files = st.file_uploader(
    t("upload_help" if fmt == "canonical" else f"upload_help_{fmt}", lg, mb=MAX_UPLOAD_MB),
    type=[suffix[1:] for suffix in (*TABLE_SUFFIXES, *ARCHIVE_SUFFIXES)],
    accept_multiple_files=True,
    max_upload_size=MAX_UPLOAD_MB,
    key="upload",
)
mapping = None
if fmt == "mapping":
    mapping = st.file_uploader(t("upload_mapping", lg), type=["toml"], key="upload_mapping")
problems: list[str] = []
chosen: dict[str, object] = {}
for f in files or []:
    path = Path(f.name)
    table, suffix = path.stem.lower(), path.suffix.lower()
    name = path.name.lower() if fmt == "canonical" else path.name
    archive = suffix in ARCHIVE_SUFFIXES  # a downloaded export, read as its files' folder
    if archive and (fmt == "mapping" or len(files) > 1):
        problems.append(t("upload_archive_alone", lg, name=f.name))
    # an archive is named by its suffix alone (its files are read by their names in it)
    elif fmt == "canonical" and not (archive or (table in TABLES and suffix in TABLE_SUFFIXES)):
        problems.append(t("upload_bad_name", lg, name=f.name, allowed=allowed))
    elif fmt != "canonical" and not archive and suffix not in EXPORT_SUFFIXES:
        problems.append(t("upload_csv_only", lg, name=f.name))
    elif fmt == "canonical" and table in chosen:
        problems.append(t("upload_duplicate", lg, name=f.name, table=table))
    elif name in chosen:
        problems.append(t("upload_same_name", lg, name=f.name))
    elif f.size > MAX_UPLOAD_MB * 1024 * 1024:
        problems.append(
            t("upload_too_big", lg, name=f.name, mb=f.size / 1048576, limit=MAX_UPLOAD_MB)
        )
    elif suffix == ".csv" and (width := header_width(f.getvalue()[: 1 << 20])) > MAX_COLUMNS:
        problems.append(t("upload_too_wide", lg, name=f.name, n=width, limit=MAX_COLUMNS))
    else:
        chosen[table if fmt == "canonical" and not archive else name] = f
if fmt == "mapping" and chosen and (mapping is None or len(chosen) != 1):
    problems.append(t("upload_mapping_needed", lg))
for p in problems:
    st.error(p)
replace = st.toggle(t("upload_replace", lg), value=False, key="upload_replace")
# the zone of times an export writes without an offset (HubSpot, Salesforce reports, office
# files): as `sla import --timezone`; UTC unless chosen, the config's zones first
zones = list(dict.fromkeys(["UTC", cfg_zone := data.config().reporting.timezone,
                            data.config().handoff.calendar.timezone,
                            *data.time_zones()]))  # fmt: skip
timezone = st.selectbox(
    t("upload_timezone", lg), zones, index=0, key="upload_timezone",
    help=t("upload_timezone_help", lg, zone=cfg_zone),
)  # fmt: skip
# the layout of dates no built-in one reads (10/05/2026: month or day first?), as
# `sla import --date-format`; the preview's quarantine names the one to give
date_format = st.text_input(
    t("upload_date_format", lg), key="upload_date_format", placeholder="%m/%d/%Y %I:%M %p",
    help=t("upload_date_format_help", lg),
).strip()  # fmt: skip
# which deals are new business (renewals beside it), as `sla import --pipeline` (HubSpot)
# or `--opportunity-type` (Salesforce): the SLA's agreement, so every deal is read unless
# chosen (and the preview says so)
deal_kinds: dict[str, list[str]] = {}
if (kinds := DEAL_KINDS.get(fmt)) is not None:
    option, example = kinds
    typed = st.text_input(
        t(f"upload_{option}", lg), key=f"upload_{option}", placeholder=example,
        help=t(f"upload_{option}_help", lg),
    )  # fmt: skip
    deal_kinds = {option: [k.strip() for k in typed.split(",") if k.strip()]}

# what the preview is of: a preview of other files or options is stale
selection = (
    fmt,
    replace,
    timezone,
    date_format,
    str(deal_kinds),
    tuple((f.name, f.size, getattr(f, "file_id", "")) for f in chosen.values()),
    (mapping.name, mapping.size, getattr(mapping, "file_id", "")) if mapping else None,
)


def _drop_preview() -> None:
    """Remove the pending preview: its scratch warehouse and its copy of the files."""
    pending = st.session_state.pop("upload_preview", None)
    if pending is not None:
        data.discard_import(pending["preview"])
        shutil.rmtree(pending["folder"], ignore_errors=True)


def _preview(folder: Path, args: dict) -> None:
    """Try the import on a scratch copy; keep the preview (or the error) for the rerun."""
    from analytics.warehouse import ImportFailed
    from analytics.warehouse.preview import PreviewPurged

    # named as uploaded: the quarantine, the load log and the messages never show the
    # scratch folder, which is gone after the import
    if args.get("file"):
        path = NamedPath(folder / args["file"], args["file"])
    else:
        path = NamedPath(folder, ", ".join(args["names"]))
    mapping_path = (
        NamedPath(folder / args["mapping"], args["mapping"]) if args.get("mapping") else None
    )
    kept = False
    try:
        with st.spinner(t("upload_previewing", lg)):
            preview = data.preview_import(
                path, fmt=args["fmt"], mapping=mapping_path, replace=args["replace"],
                timezone=args.get("timezone", "UTC"), date_format=args.get("date_format"),
                pipelines=tuple(args.get("pipelines", ())),
                opportunity_types=tuple(args.get("opportunity_types", ())),
            )  # fmt: skip
        st.session_state["upload_preview"] = {
            "preview": preview,
            "folder": str(folder),
            "selection": selection,
            "args": args,
        }
        kept = True
    except PreviewPurged:  # `sla purge` removed the scratch copy meanwhile: say so, in words
        st.session_state["upload_gone"] = True
    except ImportFailed as exc:
        st.session_state["import_error"] = str(exc)
    finally:  # the uploaded originals stay only while their preview waits
        if not kept:
            shutil.rmtree(folder, ignore_errors=True)


def _summary(result) -> dict:
    """What the page shows of an import's result (its files named as uploaded)."""
    return {
        "loaded": result.loaded,
        "rejected": result.rejected,
        "rows_rejected": result.rows_rejected,
        "dropped": result.dropped_columns,
        "masked": result.masked_columns,
        "changes": result.changes,
    }


def _cut(value: object, limit: int = 60) -> str | None:
    """A rejected cell as the preview shows it: cut at ``limit`` characters, as
    ``sla import`` prints it (a malformed line is read whole)."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


pending = st.session_state.get("upload_preview")
if pending is not None and not pending["preview"].waiting:  # a purge removed it: never confirmed
    _drop_preview()
    pending = None
    st.session_state["upload_gone"] = True
if pending is not None and pending["selection"] != selection:
    _drop_preview()
    pending = None
if (
    chosen
    and not problems
    and pending is None
    and st.button(t("upload_preview_button", lg), type="primary", key="upload_preview_button")
):
    folder = data.new_upload_folder()
    try:
        names = [Path(f.name).name for f in chosen.values()]  # as uploaded
        for name, f in zip(names, chosen.values(), strict=True):
            (folder / name).write_bytes(f.getvalue())
        args = {"fmt": "canonical" if fmt == "mapping" else fmt, "replace": replace, "names": names,
                "timezone": timezone, "date_format": date_format or None,
                **deal_kinds}  # fmt: skip
        if fmt == "mapping" or Path(names[0]).suffix.lower() in ARCHIVE_SUFFIXES:
            args["file"] = names[0]  # one file: a mapping's, or an archive
        if fmt == "mapping":
            args["mapping"] = Path(mapping.name).name  # a .toml: never one of the .csv names
            (folder / args["mapping"]).write_bytes(mapping.getvalue())
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _preview(folder, args)
    st.rerun()

if pending is not None:
    result = pending["preview"].result
    st.info(t("upload_preview_intro", lg), icon=":material/preview:")
    changes = pl.DataFrame(
        [
            {"table_name": name, **{f"rows_{k}": v for k, v in counts.items()}}
            for name, counts in result.changes.items()
        ],
        schema={"table_name": pl.String, **{f"rows_{k}": pl.Int64 for k in CHANGE_KINDS}},
    )
    if not pending["args"]["replace"]:
        changes = changes.drop("rows_removed")
    ui.table(changes)
    added = {name: c["added"] for name, c in result.changes.items() if c.get("added")}
    if added and (demo := data.demo_source()) is not None:  # two companies counted as one
        counts = ", ".join(f"{num(n, lg)} {name}" for name, n in added.items())
        st.warning(t("upload_into_demo", lg, demo=demo, added=counts), icon=":material/merge:")
    if result.privacy is not None and result.privacy.changed:  # done in the preview's copy
        st.info(t("upload_rescrubbed", lg, n=num(result.privacy.changed, lg),
                  rules=result.privacy.rules))  # fmt: skip
    for file, columns in result.dropped_columns.items():
        st.info(t("upload_dropped", lg, file=Path(file).name, columns=", ".join(columns)))
    for file, columns in result.masked_columns.items():
        st.info(t("upload_masked", lg, file=Path(file).name, columns=", ".join(columns)))
    for warning in result.warnings(lang=lg):
        st.warning(warning)
    if result.rejected:
        causes, cascaded = result.root_causes()
        st.warning(t("upload_preview_rejected", lg, n=num(result.rows_rejected, lg)))
        # each root cause with its first lines and what the first held, as `sla import`
        # prints them (a malformed line has no column: the reason says what is wrong)
        causes_frame = pl.DataFrame(
            [
                {
                    "source_file": c["file"],
                    "lines": ", ".join(map(str, c["lines"]))
                    + (", …" if c["rows"] > len(c["lines"]) else ""),
                    "column": c["column"],
                    "source_column": c.get("source_column"),
                    "reason": c["reason"],
                    "rows": c["rows"],
                    "value": c["value"],
                }
                for c in causes
            ],
            schema={
                "source_file": pl.String,
                "lines": pl.String,
                "column": pl.String,
                "source_column": pl.String,
                "reason": pl.String,
                "rows": pl.Int64,
                "value": pl.String,
            },
        )
        shown = causes_frame.with_columns(
            reason_texts(causes_frame["reason"], lang=lg),
            value_texts(causes_frame["value"], lang=lg).map_elements(_cut, return_dtype=pl.String),
        )
        if not any("source_column" in c for c in causes):  # a canonical file's own columns
            shown = shown.drop("source_column")
        ui.table(shown)
        if cascaded:
            st.caption(t("upload_preview_cascaded", lg, n=num(cascaded, lg)))
    confirm, cancel, _ = st.columns([1, 1, 3])
    if confirm.button(t("upload_confirm", lg), type="primary", key="upload_confirm"):
        if data.confirm_import(pending["preview"]):
            st.session_state["import_result"] = _summary(result)
            _drop_preview()
        elif not pending["preview"].waiting:  # purged meanwhile: its files are gone too
            _drop_preview()
            st.session_state["upload_gone"] = True
        else:  # another import changed the warehouse meanwhile: preview again
            st.session_state.pop("upload_preview")
            data.discard_import(pending["preview"])
            st.session_state["upload_stale"] = True
            _preview(Path(pending["folder"]), pending["args"])
        st.rerun()
    if cancel.button(t("upload_cancel", lg), key="upload_cancel"):
        _drop_preview()
        st.session_state["upload_cancelled"] = True
        st.rerun()

if st.session_state.pop("upload_gone", False):
    st.warning(t("upload_gone", lg))
if st.session_state.pop("upload_stale", False):
    st.warning(t("upload_stale", lg))
if st.session_state.pop("upload_cancelled", False):
    st.info(t("upload_cancelled", lg))
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
        st.info(t("upload_dropped", lg, file=Path(file).name, columns=", ".join(columns)))
    for file, columns in done.get("masked", {}).items():
        st.info(t("upload_masked", lg, file=Path(file).name, columns=", ".join(columns)))
    if done["rejected"]:
        st.warning(t("upload_rejected", lg, n=done["rows_rejected"]))
        # the quarantine's column names: labelled in the UI language like its table
        rejected = pl.DataFrame(done["rejected"], infer_schema_length=None).rename(
            {"file": "source_file"}
        )
        if "source_column" in rejected.columns:  # an export's: its own column by the canonical
            rejected = rejected.select(
                "source_file",
                "line",
                "column",
                "source_column",
                pl.exclude("source_file", "line", "column", "source_column"),
            )
        ui.table(rejected.with_columns(reason_texts(rejected["reason"], lang=lg)))
