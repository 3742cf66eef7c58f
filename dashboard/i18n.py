"""The app's one translation table (English, German) and language-aware number formats.

Every label a page shows goes through :func:`t`; every number through :func:`num`,
:func:`pct`, :func:`rate_text`, :func:`money` or :func:`day`, so that a German screen
reads ``1.234,5`` and an English one ``1,234.5``.

Only the app's own words are here. Words the library writes (metric names and
definitions, action items, breach details, channels, reasons ...) are in
``analytics/texts.py`` and rendered with ``lang``; texts the user writes in the SLA
config (KPI labels, stage definitions, track names) come from ``data/sla.toml`` with
their ``_de`` variants.
"""

from __future__ import annotations

import math

from analytics.texts import LANGS as LANGS  # the languages of the app: the library's
from analytics.texts import Lang, number, percent
from analytics.texts import day as day  # dates and moments as the review pack writes them
from analytics.texts import moment as moment

# key -> (English, German)
TEXT: dict[str, tuple[str, str]] = {
    # navigation and sidebar
    "app_title": ("SLA Analytics", "SLA-Analytics"),
    "nav_overview": ("Overview", "Überblick"),
    "nav_goals": ("1 Shared goals", "1 Gemeinsame Ziele"),
    "nav_definitions": ("2 Definitions", "2 Definitionen"),
    "nav_qualification": ("3 Lead qualification", "3 Lead-Qualifizierung"),
    "nav_handoffs": ("4 Handoffs", "4 Übergaben"),
    "nav_nurturing": ("5 Lead nurturing", "5 Lead-Nurturing"),
    "nav_management": ("6 Lead management", "6 Lead-Bearbeitung"),
    "nav_kpis": ("7 KPIs", "7 KPIs"),
    "nav_review": ("Monthly review", "Monatsbesprechung"),
    "nav_data": ("Data", "Daten"),
    "nav_welcome": ("Get started", "Erste Schritte"),
    "section_sla": ("The SLA", "Das SLA"),
    "section_meeting": ("Meeting", "Meeting"),
    "language": ("Language", "Sprache"),
    "month": ("Month", "Monat"),
    "filters": ("Segment filters", "Segmentfilter"),
    "all": ("All", "Alle"),
    "source": ("Source", "Quelle"),
    "country": ("Country", "Land"),
    "team": ("Team", "Team"),
    "owner": ("Owner", "Verantwortlich"),
    "as_of": ("Data as of", "Datenstand"),
    "sla_version": ("SLA version", "SLA-Version"),
    "definitions_version": (
        "{month} is judged by SLA version {version} (in force from {since}), the version in "
        "force on the month's first day: the settings below are that version's.",
        "{month} wird nach SLA-Version {version} bewertet (gültig ab {since}), der Version, "
        "die am ersten Tag des Monats galt: die Einstellungen unten sind die dieser Version.",
    ),
    "definitions_file_later": (
        "The config file {path} holds a later version, {file_version} (in force from "
        "{file_since}): it judges no month before that.",
        "Die Konfigurationsdatei {path} enthält eine spätere Version, {file_version} (gültig "
        "ab {file_since}): sie bewertet keinen Monat davor.",
    ),
    "definitions_file_other": (
        "The config file {path} holds another version, {file_version} (from {file_since}), "
        "which does not judge {month}.",
        "Die Konfigurationsdatei {path} enthält eine andere Version, {file_version} (gültig "
        "ab {file_since}), nach der {month} nicht bewertet wird.",
    ),
    "definitions_scoring": (
        "Today's MQL threshold and scoring points (Lead qualification, `sla score report`, "
        "notebook 03) are those of the version that judges {now}, the month of the data's last "
        "timestamp: {version}, MQL threshold {threshold}. `sla score report --no-record` tries "
        "the config file instead, as `sla review --no-record` does.",
        "Die heutige MQL-Schwelle und die Scoring-Punkte (Lead-Qualifizierung, "
        "`sla score report`, Notebook 03) sind die der Version, nach der {now} bewertet wird, "
        "der Monat des letzten Zeitstempels der Daten: {version}, MQL-Schwelle {threshold}. "
        "`sla score report --no-record` probiert stattdessen die Konfigurationsdatei aus, wie "
        "`sla review --no-record`.",
    ),
    "share_link": (
        "The address bar holds this view: copy it to share.",
        "Die Adresszeile enthält diese Ansicht: zum Teilen kopieren.",
    ),
    "link_month": (
        "The link asks for {asked}, which is not among the months of this data "
        "({first} to {last}). Showing {shown} instead.",
        "Der Link verlangt {asked}; das ist keiner der Monate dieser Daten "
        "({first} bis {last}). Angezeigt wird stattdessen {shown}.",
    ),
    "link_filter": (
        "The link filters {filter} by “{value}”, which does not occur in this data. "
        "Showing all instead.",
        "Der Link filtert {filter} nach „{value}“; das kommt in diesen Daten nicht vor. "
        "Angezeigt werden stattdessen alle.",
    ),
    # status
    "met": ("met", "erfüllt"),
    "at_risk": ("at risk", "gefährdet"),
    "missed": ("missed", "verfehlt"),
    "pending": ("pending", "offen"),
    "no_data": ("no data", "keine Daten"),
    "status": ("Status", "Status"),
    "target": ("Target", "Ziel"),
    "actual": ("Actual", "Ist"),
    "previous": ("Previous month", "Vormonat"),
    "change": ("Change", "Veränderung"),
    "direction_at_least": ("at least", "mindestens"),
    "direction_at_most": ("at most", "höchstens"),
    "this_month": ("This month", "Dieser Monat"),
    "download_csv": ("Download CSV", "CSV herunterladen"),
    "ci": ("95 % CI", "95-%-KI"),
    "leads_word": ("leads", "Leads"),
    "rows": ("rows", "Zeilen"),
    "one_row": ("row", "Zeile"),
    "metric": ("Metric", "Kennzahl"),
    "value": ("Value", "Wert"),
    "count": ("Count", "Anzahl"),
    "share": ("Share", "Anteil"),
    "week": ("Week", "Woche"),
    "rep": ("Rep", "Mitarbeiter"),
    "stage": ("Stage", "Phase"),
    "reason": ("Reason", "Grund"),
    "hours": ("hours", "Stunden"),
    "definition": ("Definition", "Definition"),
    "capacity_caption": (
        "{mqls} MQLs / week vs {capacity} capacity",
        "{mqls} MQLs / Woche bei einer Kapazität von {capacity}",
    ),
    "capacity_unknown_caption": (
        "{mqls} MQLs / week; the capacity is unknown: an active sdr or ae rep has no "
        "weekly_capacity in the reps table",
        "{mqls} MQLs / Woche; die Kapazität ist unbekannt: ein aktiver Mitarbeiter (sdr "
        "oder ae) hat keine weekly_capacity in der reps-Tabelle",
    ),
    "vs_sla_threshold": (
        "vs. the SLA's threshold {threshold}",
        "gegenüber der SLA-Schwelle {threshold}",
    ),
    "brier": ("Brier score", "Brier-Score"),
    "help_precision": (
        "MQL -> SQL within the funnel window, over MQLs whose window closed.",
        "MQL -> SQL im Funnel-Fenster, über MQLs mit abgeschlossenem Fenster.",
    ),
    "help_recall": (
        "Share of all leads with an SQL that would have been MQLs first.",
        "Anteil aller Leads mit SQL, die vorher MQL geworden wären.",
    ),
    "help_first_touch": (
        "First touch within {hours} {clock} of the MQL: met / (met + missed).",
        "Erstkontakt innerhalb von {hours} {clock} nach dem MQL: erfüllt / (erfüllt + verfehlt).",
    ),
    "help_breaches": (
        "MQL episodes whose first touch came too late or not at all.",
        "MQL-Episoden, deren Erstkontakt zu spät oder gar nicht kam.",
    ),
    "help_rejected": (
        "MQL episodes that ended disqualified or recycled without a SAL.",
        "MQL-Episoden, die ohne SAL disqualifiziert oder recycelt endeten.",
    ),
    "help_accepted": ("MQL episodes with a SAL inside them.", "MQL-Episoden mit einem SAL."),
    "help_enrolled": (
        "Recycled leads enrolled in nurture within {days} days.",
        "Recycelte Leads, die innerhalb von {days} Tagen ins Nurturing aufgenommen wurden.",
    ),
    "help_cadence": (
        "Reached, or at least {attempts} attempts within {days} days (attempts closer than "
        "{gap} h count as one); judged episodes only.",
        "Erreicht, oder mindestens {attempts} Versuche innerhalb von {days} Tagen (Versuche "
        "mit weniger als {gap} h Abstand zählen als einer); nur bewertete Episoden.",
    ),
    "help_remql": (
        "Leads recycled this month that became MQL again within {days} days.",
        "Diesen Monat recycelte Leads, die innerhalb von {days} Tagen wieder MQL wurden.",
    ),
    # enrollment status of a recycled lead (breach lists)
    "in_time": ("in time", "rechtzeitig"),
    "late": ("late", "zu spät"),
    "missing": ("not enrolled", "nicht aufgenommen"),
    "not_available": (
        "This part of the analytics library is not available yet: {what}.",
        "Dieser Teil der Analytics-Bibliothek ist noch nicht verfügbar: {what}.",
    ),
    # empty warehouse
    "welcome_title": ("No data yet", "Noch keine Daten"),
    "welcome_body": (
        "The app reads the warehouse at `{path}`, and {problem}. Load data in one of three ways:",
        "Die App liest das Warehouse `{path}`, und {problem}. So laden Sie Daten:",
    ),
    "problem_missing": ("that file does not exist", "diese Datei gibt es nicht"),
    "problem_empty": ("it holds no leads", "es enthält keine Leads"),
    "problem_broken": ("it cannot be read: {error}", "es ist nicht lesbar: {error}"),
    "warehouse_bad_name": (
        "The warehouse file `{path}` cannot be used: DuckDB names the database after the "
        "file, and `{schema}` is one of the warehouse's own schemas ({schemas}). Set "
        "`SLA_DB` to a file with another name, e.g. `warehouse.duckdb`.",
        "Die Warehouse-Datei `{path}` ist nicht verwendbar: DuckDB benennt die Datenbank "
        "nach der Datei, und `{schema}` ist eines der eigenen Schemas des Warehouse "
        "({schemas}). Setzen Sie `SLA_DB` auf eine Datei mit anderem Namen, z. B. "
        "`warehouse.duckdb`.",
    ),
    "welcome_demo": (
        "**Demo:** `make run` builds a demo warehouse (or `uv run sla demo`) and starts the app.",
        "**Demo:** `make run` baut ein Demo-Warehouse (oder `uv run sla demo`) "
        "und startet die App.",
    ),
    "welcome_import": (
        "**Your data:** `uv run sla import DIR` loads a canonical folder "
        "(one `<table>.csv` or `.parquet` per table).",
        "**Eigene Daten:** `uv run sla import DIR` lädt einen kanonischen Ordner "
        "(je Tabelle eine `<tabelle>.csv` oder `.parquet`).",
    ),
    "welcome_upload": (
        "**In the browser:** upload the files on the Data page.",
        "**Im Browser:** laden Sie die Dateien auf der Seite Daten hoch.",
    ),
    # overview
    "overview_title": ("{month} at a glance", "{month} auf einen Blick"),
    "goal_pacing": ("Goal pacing", "Zielerreichung"),
    "of_pace": ("{share} of pace", "{share} des Solls"),
    "revenue_won": ("Revenue won", "Gewonnener Umsatz"),
    "target_lower": ("target", "Ziel"),
    "scorecard": ("SLA scorecard", "SLA-Scorecard"),
    "funnel": ("Funnel", "Funnel"),
    "attention": ("Needs attention", "Handlungsbedarf"),
    "nothing_attention": ("Every promise is kept this month.", "Alle Zusagen sind eingehalten."),
    "nothing_attention_but": (
        "Every promise that can be judged is kept this month; not judged (no data): {n}.",
        "Alle bewertbaren Zusagen sind eingehalten; nicht bewertbar (keine Daten): {n}.",
    ),
    "nothing_judged_segment": (
        "No promise can be judged for this segment this month: its leads give no KPI a value "
        "it can be judged by (the SLA config can set a segment's own targets).",
        "Für dieses Segment lässt sich diesen Monat keine Zusage bewerten: seine Leads geben "
        "keiner KPI einen bewertbaren Wert (die SLA-Konfiguration kann einem Segment eigene "
        "Ziele setzen).",
    ),
    "nothing_judged": (
        "No promise can be judged this month: the data cannot answer any KPI (the Data page "
        "says what to import).",
        "Diesen Monat lässt sich keine Zusage bewerten: die Daten beantworten keine KPI (die "
        "Seite Daten sagt, was zu importieren ist).",
    ),
    "marketing": ("Marketing", "Marketing"),
    "sales": ("Sales", "Vertrieb"),
    "both": ("Both teams", "Beide Teams"),
    "month_elapsed": ("{share} of the month has passed", "{share} des Monats sind vergangen"),
    "quarter_elapsed": (
        "{share} of the quarter has passed",
        "{share} des Quartals sind vergangen",
    ),
    # goals
    "goals_title": ("Shared goals", "Gemeinsame Ziele"),
    "revenue_target": ("Revenue target", "Umsatzziel"),
    "what_it_takes": ("What it takes", "Rückwärtsrechnung"),
    "goals_company_wide": (
        "Shared goals are company-wide: the segment filters do not apply on this page.",
        "Gemeinsame Ziele gelten für das ganze Unternehmen: die Segmentfilter gelten hier nicht.",
    ),
    "target_from_config": ("The SLA says {value}.", "Im SLA stehen {value}."),
    "reverse_funnel_note": (
        "Each stage = the stage above / the pooled rate of the {months} months before.",
        "Jede Stufe = die Stufe darüber / die gepoolte Rate der {months} Monate davor.",
    ),
    "reverse_funnel": ("Reverse funnel", "Rückwärtsrechnung"),
    "pacing": ("Pacing", "Zielpfad"),
    "forecast": ("Forecast", "Prognose"),
    "quarter": ("Quarter", "Quartal"),
    "needed": ("Needed", "Benötigt"),
    "to_date": ("To date", "Bisher"),
    "expected_to_date": ("Expected by now", "Soll bis jetzt"),
    # definitions
    "definitions_title": ("Shared definitions", "Gemeinsame Definitionen"),
    "stages": ("Stages", "Phasen"),
    "metrics": ("Metrics", "Kennzahlen"),
    "config_in_force": ("The SLA in force", "Das geltende SLA"),
    "aliases": ("Also called", "Auch genannt"),
    "fit_points": ("Lead score: fit points", "Lead-Score: Fit-Punkte"),
    "interest_points": ("Lead score: interest points", "Lead-Score: Interesse-Punkte"),
    # qualification
    "qualification_title": ("Lead qualification", "Lead-Qualifizierung"),
    "threshold": ("MQL threshold (score points)", "MQL-Schwelle (Punkte)"),
    "recommended": ("Recommended threshold", "Empfohlene Schwelle"),
    "mqls_per_month": ("MQLs per month", "MQLs pro Monat"),
    "workload": ("Sales workload", "Vertriebsauslastung"),
    "precision": ("Precision", "Präzision"),
    "recall": ("Recall", "Trefferquote"),
    "expected_sqls": ("Expected SQLs per month", "Erwartete SQLs pro Monat"),
    "calibration": ("Calibration", "Kalibrierung"),
    "score_distribution": ("Score distribution", "Score-Verteilung"),
    "grid": ("Fit x interest grid", "Fit-x-Interesse-Raster"),
    "qualification_note": (
        "Move the threshold: MQL volume, sales workload, precision, recall and expected SQLs "
        "follow at once (what the past leads would have done under it).",
        "Schwelle verschieben: MQL-Menge, Auslastung, Präzision, Trefferquote und erwartete "
        "SQLs folgen sofort (was die bisherigen Leads darunter getan hätten).",
    ),
    "scoring_company_wide": (
        "The score is tuned on every lead of the warehouse: the month and segment filters do "
        "not apply on this page.",
        "Der Score wird an allen Leads des Warehouses abgestimmt: Monats- und Segmentfilter "
        "gelten auf dieser Seite nicht.",
    ),
    "scoring_version": (
        "Today's MQL threshold {threshold} and scoring points: SLA version {version} (in force "
        "from {since}), the one that judges the month of the data's last timestamp.",
        "Heutige MQL-Schwelle {threshold} und Scoring-Punkte: SLA-Version {version} (gültig ab "
        "{since}), nach der der Monat des letzten Zeitstempels der Daten bewertet wird.",
    ),
    "scoring_version_earliest": (
        "Today's MQL threshold {threshold} and scoring points: SLA version {version}, the "
        "earliest recorded (in force from {since}): no version was in force in {month}, the "
        "month of the data's last timestamp.",
        "Heutige MQL-Schwelle {threshold} und Scoring-Punkte: SLA-Version {version}, die "
        "früheste erfasste (gültig ab {since}): im {month}, dem Monat des letzten Zeitstempels "
        "der Daten, galt keine Version.",
    ),
    "precomputing": ("Scoring every lead once …", "Bewerte jeden Lead einmal …"),
    "threshold_whatif": ("Threshold what-if", "Schwellen-Simulation"),
    "use_recommended": ("Use the recommendation", "Empfehlung übernehmen"),
    "over_capacity": ("over capacity", "über Kapazität"),
    "within_capacity": ("within capacity", "innerhalb der Kapazität"),
    "threshold_table": ("Every threshold", "Alle Schwellen"),
    "preview_note": (
        "The first {n} of {total} rows. All of them: below (sort and search) and in the download.",
        "Die ersten {n} von {total} Zeilen. Alle: darunter (sortieren und suchen) und im Download.",
    ),
    "preview_all": ("All {total} rows", "Alle {total} Zeilen"),
    "list_empty": ("None.", "Keine."),
    "base_rate": ("SQL rate", "SQL-Quote"),
    "too_few_outcomes": (
        "Too few test leads of each outcome to judge calibration: {positives} of {n} became "
        "an SQL (at least {minimum} with and {minimum} without an SQL are needed).",
        "Zu wenige Test-Leads je Ergebnis, um die Kalibrierung zu beurteilen: {positives} von "
        "{n} wurden SQL (nötig sind mindestens {minimum} mit und {minimum} ohne SQL).",
    ),
    "too_few": (
        "Too few leads with a closed window to judge calibration (it is fitted on leads "
        "whose outcome was known before the newest, on which it is tested).",
        "Zu wenige Leads mit abgeschlossenem Fenster für die Kalibrierung (sie wird an Leads "
        "angepasst, deren Ergebnis vor den neuesten feststand, an denen sie geprüft wird).",
    ),
    "grid_note": (
        "{n} leads whose funnel window has closed, graded when they were created.",
        "{n} Leads mit abgeschlossenem Funnel-Fenster, bewertet bei ihrer Anlage.",
    ),
    "calibration_note": (
        "The score is mapped to a probability on the older leads and judged on the newest "
        "{n} (time split).",
        "Der Score wird an älteren Leads auf eine Wahrscheinlichkeit abgebildet und an den "
        "neuesten {n} geprüft (zeitlicher Split).",
    ),
    # handoffs
    "handoffs_title": ("Handoffs", "Übergaben"),
    "speed_to_lead": ("Speed to lead", "Reaktionszeit"),
    "compliance": ("Compliance", "Einhaltung"),
    "acceptance": ("Acceptance", "Annahme"),
    "recycling": ("Recycling", "Recycling"),
    "breaches": ("Breaches", "Verstöße"),
    "first_touch_sla": ("First touch within SLA", "Erstkontakt im SLA"),
    "median_first_touch": ("Median hours to first touch", "Median der Stunden bis zum Erstkontakt"),
    "rejected": ("MQLs rejected by sales", "Vom Vertrieb abgelehnte MQLs"),
    "accepted": ("Accepted by sales (SAL)", "Vom Vertrieb angenommen (SAL)"),
    "premature": ("Premature recycles", "Vorzeitig recycelt"),
    "stale": ("Stale leads", "Liegengebliebene Leads"),
    "recycled": ("Recycled", "Recycelt"),
    "enrolled_in_time": (
        "Recycled leads nurtured in time",
        "Recycelte Leads rechtzeitig im Nurturing",
    ),
    "breach_lists": ("Breach lists", "Verstoßlisten"),
    "late_first_touch": ("Late first touch", "Erstkontakt zu spät"),
    "not_enrolled": ("Recycled, not nurtured in time", "Recycelt, nicht rechtzeitig im Nurturing"),
    "no_touch_yet": (
        "{n} episode(s) without any touch yet are not in the chart (missed or pending).",
        "MQL-Episoden ohne jeden Kontakt, nicht im Diagramm (verfehlt oder offen): {n}.",
    ),
    # why a cell of a small table is '–' (on hover)
    "why_no_decided": (
        "No episode decided yet (all pending)",
        "Noch keine Episode entschieden (alle offen)",
    ),
    "why_no_touch": ("No first touch yet", "Noch kein Erstkontakt"),
    "why_no_capacity": (
        "No weekly capacity for this rep in the reps table",
        "Keine Wochenkapazität für diesen Mitarbeiter in der Mitarbeitertabelle",
    ),
    "no_rejections": ("No MQL was rejected this month.", "Kein MQL wurde diesen Monat abgelehnt."),
    # nurture
    "nurturing_title": ("Lead nurturing", "Lead-Nurturing"),
    "enrollments": ("Enrollments", "Aufnahmen"),
    "enrollments_note": ("started this month", "in diesem Monat begonnen"),
    "exits": ("Exits", "Austritte"),
    "remql_rate": ("Re-MQL rate", "Re-MQL-Quote"),
    "immature": (
        "Still maturing: the {days}-day window has not closed.",
        "Noch nicht reif: das {days}-Tage-Fenster ist noch offen.",
    ),
    "immature_not_compared": (
        "Still maturing: this month's {days}-day window has not closed, so its rate so far is "
        "not compared with the month before (that month had longer).",
        "Noch nicht reif: das {days}-Tage-Fenster dieses Monats ist noch offen; die bisherige "
        "Quote wird nicht mit dem Vormonat verglichen (der hatte länger Zeit).",
    ),
    "sales_triggered": ("Sales-triggered enrollments", "Vom Vertrieb ausgelöste Aufnahmen"),
    "sales_triggered_note": ("a rep asked for them", "von Mitarbeitern des Vertriebs angefordert"),
    "sales_not_allowed": (
        "{n} sales-triggered enrollment(s) in tracks the SLA does not open to sales.",
        "Vom Vertrieb ausgelöste Aufnahmen in Tracks, die das SLA dafür nicht vorsieht: {n}.",
    ),
    "no_sales_triggered": (
        "No sales-triggered enrollment this month.",
        "Keine vom Vertrieb ausgelöste Aufnahme in diesem Monat.",
    ),
    "tracks": ("Tracks", "Tracks"),
    "progression": ("Progression through buyer stages", "Fortschritt durch die Kaufphasen"),
    # management
    "management_title": ("Lead management", "Lead-Bearbeitung"),
    "cadence_held": ("Cadence held", "Kadenz eingehalten"),
    "attempts_per_mql": ("Attempts per MQL", "Versuche pro MQL"),
    "never_contacted": ("Never contacted", "Nie kontaktiert"),
    "cadence_by_rep": ("Cadence by rep", "Kadenz nach Mitarbeiter"),
    "stall_reasons": ("Stall reasons", "Gründe für Stillstand"),
    "no_stalls": (
        "No episode of this month stalled: none ended recycled or disqualified, and every "
        "judged cadence held.",
        "Keine Episode dieses Monats ist ins Stocken geraten: keine endete recycelt oder "
        "disqualifiziert, und jede bewertete Kadenz wurde eingehalten.",
    ),
    "lead_lists": ("Leads to act on", "Leads mit Handlungsbedarf"),
    "cadence_short": ("Cadence not held", "Kadenz nicht eingehalten"),
    # kpis
    "kpis_title": ("KPIs of both teams", "KPIs beider Teams"),
    "trend": ("Trend over 12 months", "Verlauf über 12 Monate"),
    "loading_trend": ("Computing 12 months …", "Berechne 12 Monate …"),
    "kpi_table": ("All KPIs", "Alle KPIs"),
    "trend_legend": (
        "Dots: the month's status (green met, amber at risk, red missed); dashed: the SLA "
        "commitment.",
        "Punkte: Status des Monats (grün erfüllt, orange gefährdet, rot verfehlt); "
        "gestrichelt: die SLA-Zusage.",
    ),
    "trend_sparse": (
        "No trend yet (fewer than two months with a value): {kpis}.",
        "Noch kein Verlauf (weniger als zwei Monate mit Wert): {kpis}.",
    ),
    # review
    "review_title": ("Monthly review {month}", "Monatsbesprechung {month}"),
    "agenda": ("Agenda", "Agenda"),
    "actions": ("Action items", "Maßnahmen"),
    "building_pack": ("Preparing the review …", "Bereite die Monatsbesprechung vor …"),
    "review_sla": (
        "Judged by SLA version {version} (in force since {since}).",
        "Bewertet nach SLA-Version {version} (gültig seit {since}).",
    ),
    "review_sla_earliest": (
        "Judged by SLA version {version}, the earliest recorded (in force from {since}): no "
        "version was in force in this month.",
        "Bewertet nach SLA-Version {version}, der frühesten erfassten (gültig ab {since}): in "
        "diesem Monat galt keine Version.",
    ),
    # a soft hyphen: beside the agenda at 1280 px the word is wider than its column
    "export": ("Review pack", "Besprechungs\u00adunterlagen"),
    "export_note": (
        "Send it before the meeting: the same numbers as this page.",
        "Vor dem Meeting verschicken: dieselben Zahlen wie auf dieser Seite.",
    ),
    "counts": ("Counts (95 % CI)", "Anzahlen (95-%-KI)"),
    "sla_changed": (
        "The SLA changed since the last review:",
        "Das SLA hat sich seit der letzten Besprechung geändert:",
    ),
    "sla_unchanged": (
        "No change to the SLA since the last review (version {version}).",
        "Keine Änderung am SLA seit der letzten Besprechung (Version {version}).",
    ),
    "top_breaches": ("Largest breaches", "Größte Verstöße"),
    "significant": (
        "Changes since last month that are statistically significant (α = {alpha})",
        "Statistisch signifikante Veränderungen zum Vormonat (α = {alpha})",
    ),
    "breach_totals": ("Breaches this month", "Verstöße in diesem Monat"),
    "per_day": ("{n} a day", "{n} pro Tag"),
    # data
    "data_title": ("Data", "Daten"),
    "health": ("Warehouse health", "Zustand des Warehouse"),
    "table": ("Table", "Tabelle"),
    "quarantine": ("Quarantine", "Quarantäne"),
    "quarantine_empty": ("No rejected rows.", "Keine abgelehnten Zeilen."),
    "loads": ("Load log", "Ladeprotokoll"),
    "upload": ("Import data", "Daten importieren"),
    "upload_help": (
        "One file per table, named `<table>.csv`, `<table>.xlsx` (or `.xls`, `.ods`) or "
        "`<table>.parquet` (e.g. `leads.csv`), or one .zip of them; at most {mb} MB per file.",
        "Eine Datei je Tabelle, benannt `<tabelle>.csv`, `<tabelle>.xlsx` (oder `.xls`, "
        "`.ods`) oder `<tabelle>.parquet` (z. B. `leads.csv`), oder ein .zip davon; höchstens "
        "{mb} MB je Datei.",
    ),
    "upload_bad_name": (
        "{name}: not a canonical table file; allowed names: {allowed} (.csv, .xlsx, .xls, "
        ".ods or .parquet)",
        "{name}: keine kanonische Tabellendatei; erlaubt: {allowed} (.csv, .xlsx, .xls, .ods "
        "oder .parquet)",
    ),
    "upload_duplicate": (
        "{name}: table {table} is uploaded twice",
        "{name}: Tabelle {table} ist doppelt hochgeladen",
    ),
    "upload_too_big": (
        "{name}: {mb:.1f} MB is larger than the limit of {limit} MB",
        "{name}: {mb:.1f} MB ist größer als die Grenze von {limit} MB",
    ),
    "upload_failed": ("Nothing was imported: {error}", "Nichts importiert: {error}"),
    "upload_done": ("Imported: {loaded}", "Importiert: {loaded}"),
    "upload_dropped": (
        "{file}: personal columns not stored: {columns}",
        "{file}: personenbezogene Spalten nicht gespeichert: {columns}",
    ),
    "upload_masked": (
        "{file}: e-mail addresses, phone numbers or IBANs masked in {columns}",
        "{file}: E-Mail-Adressen, Telefonnummern oder IBANs maskiert in {columns}",
    ),
    "upload_rescrubbed": (
        "The warehouse was written under older privacy rules: this import first brings "
        "{n} stored cells to the rules of version {rules} (ids in clear hashed, phone "
        "numbers and IBANs masked; the file is rewritten).",
        "Das Warehouse wurde unter älteren Datenschutzregeln geschrieben: Dieser Import "
        "bringt zuerst {n} gespeicherte Zellen auf die Regeln der Version {rules} (Ids im "
        "Klartext gehasht, Telefonnummern und IBANs maskiert; die Datei wird neu "
        "geschrieben).",
    ),
    "upload_rejected": (
        "{n} row(s) rejected into the quarantine (see below).",
        "In die Quarantäne abgelehnte Zeilen: {n} (siehe unten).",
    ),
    "upload_replace": (
        "The files are full snapshots: remove rows whose key a file lacks (--replace)",
        "Die Dateien sind vollständige Stände: Zeilen ohne Schlüssel in der Datei entfernen "
        "(--replace)",
    ),
    "upload_changes": (
        "{table}: {added} added, {changed} changed, {unchanged} unchanged, {removed} removed",
        "{table}: {added} neu, {changed} geändert, {unchanged} unverändert, {removed} entfernt",
    ),
    "upload_too_wide": (
        "{name}: {n} columns is more than the limit of {limit}",
        "{name}: {n} Spalten sind mehr als die Grenze von {limit}",
    ),
    "upload_format": ("What the files are", "Was die Dateien sind"),
    "upload_fmt_canonical": (
        "Canonical tables (also as a German spreadsheet saves them: ; and 1.234,5)",
        "Kanonische Tabellen (auch wie eine deutsche Tabellenkalkulation sie speichert: "
        "; und 1.234,5)",
    ),
    "upload_fmt_hubspot": ("HubSpot export", "HubSpot-Export"),
    "upload_fmt_salesforce": ("Salesforce export", "Salesforce-Export"),
    "upload_fmt_olist": ("Olist marketing funnel", "Olist-Marketing-Funnel"),
    "upload_fmt_xeducation": ("X Education leads", "X-Education-Leads"),
    "upload_fmt_mapping": ("Any CSV, with a mapping file", "Beliebige CSV-Datei mit Mapping-Datei"),
    "upload_help_hubspot": (
        "The CSV or Excel exports (.xlsx, .xls; also .ods) of contacts, companies, deals, "
        "activities and owners (any names: each file is recognised by its header), or the "
        ".zip HubSpot sends; at most {mb} MB per file.",
        "Die CSV- oder Excel-Exporte (.xlsx, .xls; auch .ods) von Kontakten, Unternehmen, "
        "Deals, Aktivitäten und Ownern (beliebige Namen: jede Datei wird an ihrer Kopfzeile "
        "erkannt), oder das .zip, das HubSpot schickt; höchstens {mb} MB je Datei.",
    ),
    "upload_help_salesforce": (
        "The CSV or Excel exports (.xlsx, .xls; also .ods) of Lead, Contact, Account, "
        "Opportunity, Task, LeadHistory and User (any names: each file is recognised by its "
        "header), or the .zip of a Data Export; at most {mb} MB per file.",
        "Die CSV- oder Excel-Exporte (.xlsx, .xls; auch .ods) von Lead, Contact, Account, "
        "Opportunity, Task, LeadHistory und User (beliebige Namen: jede Datei wird an ihrer "
        "Kopfzeile erkannt), oder das .zip eines Datenexports; höchstens {mb} MB je Datei.",
    ),
    "upload_help_olist": (
        "The Olist files (marketing qualified leads, closed deals); at most {mb} MB per file.",
        "Die Olist-Dateien (Marketing Qualified Leads, Closed Deals); höchstens {mb} MB je Datei.",
    ),
    "upload_help_xeducation": (
        "The X Education leads file; at most {mb} MB per file.",
        "Die Lead-Datei von X Education; höchstens {mb} MB je Datei.",
    ),
    "upload_help_mapping": (
        "One CSV file or workbook (.xlsx, .xls, .ods); the mapping file below says which "
        "column is what; at most {mb} MB.",
        "Eine CSV-Datei oder Arbeitsmappe (.xlsx, .xls, .ods); die Mapping-Datei darunter "
        "sagt, welche Spalte was ist; höchstens {mb} MB.",
    ),
    "upload_mapping": (
        "Mapping file (.toml, as for sla import --mapping)",
        "Mapping-Datei (.toml, wie für sla import --mapping)",
    ),
    "upload_mapping_needed": (
        "A mapping describes one CSV file: upload exactly one CSV file (or .xlsx, .xls, .ods) "
        "and the mapping file.",
        "Ein Mapping beschreibt eine CSV-Datei: genau eine CSV-Datei (oder .xlsx, .xls, .ods) "
        "und die Mapping-Datei hochladen.",
    ),
    "upload_csv_only": (
        "{name}: this format is read from CSV files and workbooks (.xlsx, .xls, .ods) only",
        "{name}: dieses Format wird nur aus CSV-Dateien und Arbeitsmappen (.xlsx, .xls, .ods) "
        "gelesen",
    ),
    "upload_archive_alone": (
        "{name}: a .zip archive is read as the folder of its files: upload it alone (not "
        "with other files, nor for a mapping, which reads one file)",
        "{name}: ein .zip-Archiv wird als Ordner seiner Dateien gelesen: allein hochladen "
        "(nicht mit anderen Dateien, auch nicht für ein Mapping, das eine Datei liest)",
    ),
    "upload_same_name": (
        "{name}: a file of this name is uploaded twice",
        "{name}: eine Datei dieses Namens ist doppelt hochgeladen",
    ),
    "upload_preview_button": ("Preview the import", "Import prüfen"),
    "upload_previewing": (
        "Trying the import on a copy of the warehouse …",
        "Der Import wird an einer Kopie des Warehouses erprobt …",
    ),
    "upload_preview_intro": (
        "Preview: nothing is imported yet. This is what the import would do; confirm to "
        "import, or cancel.",
        "Vorschau: noch ist nichts importiert. So würde der Import die Daten ändern; "
        "bestätigen zum Importieren, oder abbrechen.",
    ),
    "upload_into_demo": (
        "This warehouse holds the demo's data ({demo}). Importing adds {added} to it: every "
        "page, review and notebook would then count the demo's data and yours as one company. "
        "To see your export alone, import it into a warehouse of its own (`sla import --db "
        "NEW.duckdb`, then `make run DB=NEW.duckdb`).",
        "Dieses Warehouse enthält die Daten der Demo ({demo}). Der Import fügt {added} hinzu: "
        "alle Seiten, Reviews und Notebooks zählten dann die Daten der Demo und Ihre als ein "
        "Unternehmen. Um Ihren Export allein zu sehen, importieren Sie ihn in ein eigenes "
        "Warehouse (`sla import --db NEU.duckdb`, dann `make run DB=NEU.duckdb`).",
    ),
    "upload_preview_rejected": (
        "{n} row(s) would be rejected into the quarantine; the root causes:",
        "In die Quarantäne abgelehnt würden Zeilen: {n}; die Ursachen:",
    ),
    "upload_preview_cascaded": (
        "{n} further row(s) refer to a lead rejected above.",
        "Weitere Zeilen, die auf einen oben abgelehnten Lead verweisen: {n}.",
    ),
    "upload_confirm": ("Confirm the import", "Import bestätigen"),
    "upload_cancel": ("Cancel", "Abbrechen"),
    "upload_cancelled": (
        "Import cancelled: the warehouse is as it was.",
        "Import abgebrochen: das Warehouse ist unverändert.",
    ),
    "upload_stale": (
        "The warehouse changed since the preview (another import): here is the preview "
        "again; confirm once more.",
        "Das Warehouse hat sich seit der Vorschau geändert (ein anderer Import): hier die "
        "neue Vorschau; bitte erneut bestätigen.",
    ),
    "upload_gone": (
        "The preview is gone: the warehouse was purged (`sla purge`) since, which removes "
        "every waiting preview and its uploaded files. Nothing was imported; upload the "
        "files and preview them again.",
        "Die Vorschau ist nicht mehr da: das Warehouse wurde seither bereinigt "
        "(`sla purge`), was jede wartende Vorschau samt hochgeladenen Dateien entfernt. "
        "Nichts wurde importiert; laden Sie die Dateien hoch und erstellen Sie die "
        "Vorschau erneut.",
    ),
    "config_versions": ("SLA config versions", "Versionen der SLA-Konfiguration"),
    "unknown_tracks": (
        "Nurture tracks the SLA config does not know",
        "Nurture-Tracks, die die SLA-Konfiguration nicht kennt",
    ),
    # chart titles, axis titles, legend titles and tooltips
    "c_count": ("count", "Anzahl"),
    "c_of": ("of", "von"),
    "c_rate_pct": ("rate (%)", "Quote (%)"),
    "c_ci_from": ("95 % CI from (%)", "95-%-KI von (%)"),
    "c_ci_to": ("95 % CI to (%)", "95-%-KI bis (%)"),
    "c_target_pct": ("target (%)", "Ziel (%)"),
    "c_funnel_x": ("Leads in {month} (count)", "Leads im {month} (Anzahl)"),
    "c_funnel_title": (
        "How many leads reached each stage this month",
        "Wie viele Leads diesen Monat jede Phase erreichten",
    ),
    "c_pace": ("Pace", "Soll-Erreichung"),
    "c_pacing_x": ("Share of the period's target reached (%)", "Erreichter Anteil am Ziel (%)"),
    "c_pacing_title": (
        "{title}: actual to date as share of target (amber: expected by now, green: 100 %)",
        "{title}: bisher erreicht als Anteil am Ziel (orange: Soll bis jetzt, grün: 100 %)",
    ),
    "c_clock_business": ("business hours", "Geschäftsstunden"),
    "c_clock_hours": ("hours", "Stunden"),
    "c_speed_x_plain": (
        "Hours from MQL to first touch ({clock})",
        "Stunden vom MQL bis zum Erstkontakt ({clock})",
    ),
    "c_speed_x": (
        "Hours from MQL to first touch ({clock}; ≥ {cap} h in the last bar)",
        "Stunden vom MQL bis zum Erstkontakt ({clock}; ≥ {cap} h im letzten Balken)",
    ),
    "c_episodes_y": ("MQL episodes (count)", "MQL-Episoden (Anzahl)"),
    "c_from_h": ("from (h)", "von (h)"),
    "c_to_h": ("to (h)", "bis (h)"),
    "c_sla_h": ("SLA (h)", "SLA (h)"),
    "c_speed_title": (
        "Speed to lead: hours to the first touch per MQL episode (dashed: SLA {hours} h)",
        "Reaktionszeit: Stunden bis zum Erstkontakt je MQL-Episode (gestrichelt: SLA {hours} h)",
    ),
    "c_handoff_rep_title": (
        "First touch within SLA, by rep (bars: share met; whiskers: 95 % CI)",
        "Erstkontakt im SLA je Mitarbeiter (Balken: Anteil erfüllt; Striche: 95-%-KI)",
    ),
    "c_handoff_week_title": (
        "First touch within SLA, by week of the MQL (week starting Monday)",
        "Erstkontakt im SLA je Woche des MQL (Woche ab Montag)",
    ),
    "c_met_pct": ("Episodes met (%)", "Erfüllte Episoden (%)"),
    "c_rejected_x": ("Rejected MQL episodes (count)", "Abgelehnte MQL-Episoden (Anzahl)"),
    "c_ended_as": ("ended as", "endete als"),
    "c_rejected_title": ("Why sales rejected MQLs", "Warum der Vertrieb MQLs ablehnte"),
    "c_no_reason": ("(no reason given)", "(kein Grund angegeben)"),
    "c_reached": ("reached", "erreicht"),
    "c_not_reached": ("not reached", "nicht erreicht"),
    "c_attempts_x": (
        "Sales attempts in the episode (count)",
        "Vertriebsversuche der Episode (Anzahl)",
    ),
    "c_min_attempts": ("SLA minimum attempts", "SLA-Mindestversuche"),
    "c_attempts_title": (
        "Attempts per MQL episode (dashed: SLA minimum)",
        "Versuche je MQL-Episode (gestrichelt: SLA-Minimum)",
    ),
    # the touches of the month's MQL episodes (whenever made), as the attempts chart beside it
    "c_touches_x": (
        "Sales touches on this month's MQLs (count)",
        "Vertriebskontakte zu den MQLs des Monats (Anzahl)",
    ),
    "c_share_pct": ("share (%)", "Anteil (%)"),
    "c_touches_reached": ("touches that reached the lead", "Kontakte, die den Lead erreichten"),
    "c_channel": ("channel", "Kanal"),
    "c_touches": ("touches", "Kontakte"),
    "c_channel_title": (
        "Channels of the attempts per MQL episode",
        "Kanäle der Versuche je MQL-Episode",
    ),
    "c_cadence_rep_title": (
        "Cadence held, by rep (bars: share held; whiskers: 95 % CI)",
        "Kadenz eingehalten je Mitarbeiter (Balken: Anteil; Striche: 95-%-KI)",
    ),
    "c_cadence_x": (
        "Judged episodes where the cadence held (%)",
        "Bewertete Episoden mit eingehaltener Kadenz (%)",
    ),
    "c_gap_x": ("Hours between consecutive attempts (h)", "Stunden zwischen zwei Versuchen (h)"),
    "c_median_gap": ("median gap", "Median-Abstand"),
    "c_p90_gap": ("p90 gap", "p90-Abstand"),
    "c_gaps": ("gaps", "Abstände"),
    "c_gap_title": (
        "Gaps between attempts by rep (SLA: at least {hours} h apart)",
        "Abstände zwischen Versuchen je Mitarbeiter (SLA: mindestens {hours} h)",
    ),
    "c_undocumented": ("(undocumented)", "(nicht dokumentiert)"),
    "c_stall_x": (
        "Stalled episodes citing the reason (count)",
        "Stillstehende Episoden mit diesem Grund (Anzahl)",
    ),
    "c_documented_in": ("documented in", "dokumentiert in"),
    "c_lifecycle": ("ending reason", "Abschlussgrund"),
    "c_touch_note": ("touch note", "Kontaktnotiz"),
    "c_stall_title": (
        "Why episodes stalled (ending reason or touch note)",
        "Warum Episoden stillstanden (Abschlussgrund oder Kontaktnotiz)",
    ),
    "c_automatic": ("automatic", "automatisch"),
    "c_sales_asked": ("sales asked", "vom Vertrieb angefordert"),
    "c_enroll_x": ("Enrollments started this month (count)", "Aufnahmen diesen Monat (Anzahl)"),
    "c_triggered_by": ("triggered by", "ausgelöst durch"),
    "c_enroll_title": ("Enrollments per nurture track", "Aufnahmen je Nurture-Track"),
    "c_not_recorded": ("(not recorded)", "(nicht erfasst)"),
    "c_exits_x": (
        "Enrollments that ended this month (count)",
        "Diesen Monat beendete Aufnahmen (Anzahl)",
    ),
    "c_exit_reason": ("exit reason", "Austrittsgrund"),
    "exit_became_mql": ("became MQL", "wurde MQL"),
    "exit_completed": ("completed", "abgeschlossen"),
    "exit_disqualified": ("disqualified", "disqualifiziert"),
    "exit_sales_request": ("sales asked for it", "vom Vertrieb angefordert"),
    "exit_unsubscribed": ("unsubscribed", "abgemeldet"),
    "exit_active": ("still enrolled", "noch aktiv"),
    "c_exit_share": ("share of the track's exits", "Anteil an den Austritten des Tracks"),
    "c_exits_title": ("How enrollments ended, per track", "Wie Aufnahmen endeten, je Track"),
    "c_no_activity": ("(no activity)", "(keine Aktivität)"),
    "c_to_stage": ("Furthest buyer stage while enrolled", "Weiteste Kaufphase im Nurturing"),
    "c_from_stage": ("Buyer stage at enrollment", "Kaufphase bei Aufnahme"),
    "c_enrollments": ("enrollments", "Aufnahmen"),
    "c_progression_title": (
        "Buyer-stage progression of the enrollments active this month",
        "Fortschritt der Kaufphasen der diesen Monat aktiven Aufnahmen",
    ),
    "c_kpi_trend_title": (
        "{team}: {trend} (dashed: target)",
        "{team}: {trend} (gestrichelt: Ziel)",
    ),
    "c_threshold_x": ("MQL threshold (score points)", "MQL-Schwelle (Score-Punkte)"),
    "c_mqls_y": ("MQLs per month (count)", "MQLs pro Monat (Anzahl)"),
    "c_sqls_y": ("Expected SQLs per month (count)", "Erwartete SQLs pro Monat (Anzahl)"),
    "c_workload_y": (
        "Sales workload (% of weekly capacity)",
        "Auslastung (% der Wochenkapazität)",
    ),
    "c_workload_pct": ("workload (%)", "Auslastung (%)"),
    "c_workload_title": (
        "Sales workload by threshold (red line: full capacity)",
        "Vertriebsauslastung je Schwelle (rote Linie: volle Kapazität)",
    ),
    "c_score_x": ("Rule score today (points)", "Regel-Score heute (Punkte)"),
    "c_leads_y": ("Leads (count)", "Leads (Anzahl)"),
    "c_fit_grade": ("fit grade", "Fit-Klasse"),
    "c_score_title": (
        "Score of every lead today, by fit grade (dashed: the SLA's threshold)",
        "Score jedes Leads heute, nach Fit-Klasse (gestrichelt: Schwelle des SLA)",
    ),
    "c_interest_x": ("Interest grade (1 = most engaged)", "Interesse-Klasse (1 = am aktivsten)"),
    "c_fit_y": ("Fit grade (A = best fit)", "Fit-Klasse (A = beste Passung)"),
    "c_sql_rate_pct": ("SQL rate (%)", "SQL-Quote (%)"),
    "c_became_sql": ("became SQL", "wurde SQL"),
    "c_predicted_x": ("Predicted chance of an SQL (%)", "Vorhergesagte SQL-Chance (%)"),
    "c_observed_y": ("Observed SQL rate (%)", "Beobachtete SQL-Quote (%)"),
    "c_predicted": ("predicted (%)", "vorhergesagt (%)"),
    "c_observed": ("observed (%)", "beobachtet (%)"),
    "c_leads": ("leads", "Leads"),
    "c_grid_title": (
        "Leads that became SQL within the funnel window, by fit x interest grade at creation "
        "(% and leads)",
        "Leads, die im Funnel-Fenster SQL wurden, nach Fit- x Interesse-Klasse bei Anlage "
        "(% und Leads)",
    ),
    "c_chosen": ("chosen", "gewählt"),
    "c_sla_today": ("SLA today", "SLA heute"),
    "c_recommended": ("recommended", "empfohlen"),
    "c_week": ("week", "Woche"),
    "c_kpi": ("KPI", "KPI"),
    "c_episodes": ("MQL episodes", "MQL-Episoden"),
    "cap_premature": (
        "{x} / {n} recycled episodes; fewer than {attempts} attempts, never reached",
        "{x} / {n} recycelte Episoden; weniger als {attempts} Versuche, nie erreicht",
    ),
    # the Never contacted tile counts the breaches; these untouched MQLs are at risk
    "never_contacted_due": (
        "+ {n} whose first touch is still due (deadline not passed): not counted yet",
        "+ {n}, deren Erstkontakt noch fällig ist (Frist nicht abgelaufen): noch nicht gezählt",
    ),
    "cap_stale": (
        "≥ {attempts} unanswered attempts, silent > {days} days",
        "≥ {attempts} unbeantwortete Versuche, seit > {days} Tagen still",
    ),
    "cap_accept": (
        "{x} / {n} · median {hours} h to accept",
        "{x} / {n} · Median {hours} h bis zur Annahme",
    ),
    "c_calibration_title": (
        "Reliability of the rule score (dashed: perfect calibration; bars: 95 % CI)",
        "Verlässlichkeit des Regel-Scores (gestrichelt: perfekte Kalibrierung; Balken: 95-%-KI)",
    ),
    "download_xlsx": ("Download Excel", "Excel herunterladen"),
    # the two MQL targets, named apart everywhere: the SLA's promise and the revenue goal's need
    "sla_commitment": ("SLA commitment", "SLA-Zusage"),
    "needed_for_goal": ("needed for the revenue goal", "für das Umsatzziel nötig"),
    "revenue_goal": ("Revenue goal", "Umsatzziel"),
    "revenue_target_per_month": (
        "Revenue target ({currency} per month)",
        "Umsatzziel ({currency} pro Monat)",
    ),
    "reps_now": ("Reps this month", "Mitarbeiter diesen Monat"),
    "open_breaches_uncounted": (
        "Open breaches leave out {kinds}: {reason}",
        "Offene Verstöße ohne {kinds}: {reason}",
    ),
    "conversion": ("Conversion", "Konversion"),
    "unknown_tracks_none": (
        "Every nurture track in the data is described in the SLA config.",
        "Jeder Nurture-Track in den Daten ist in der SLA-Konfiguration beschrieben.",
    ),
    # at risk now
    "nav_at_risk": ("At risk now", "Jetzt gefährdet"),
    "at_risk_title": ("At risk now", "Jetzt gefährdet"),
    "at_risk_caption": (
        "Open MQLs whose SLA deadline is near or has passed, judged as the review will "
        "judge them; the segment filters do not apply (the same list as `sla alerts`).",
        "Offene MQLs, deren SLA-Frist naht oder verstrichen ist, bewertet wie in der "
        "Monatsbesprechung; die Segmentfilter gelten hier nicht (dieselbe Liste wie "
        "`sla alerts`).",
    ),
    "within_hours": (
        "First touch and cadence: at risk within (hours)",
        "Erstkontakt und Kadenz: gefährdet innerhalb von (Stunden)",
    ),
    "within_days": (
        "Going stale and nurture: at risk within (days)",
        "Liegenbleiben und Nurturing: gefährdet innerhalb von (Tagen)",
    ),
    "overdue": ("overdue", "überfällig"),
    "alerts_overdue": ("Overdue", "Überfällig"),
    "alerts_at_risk": ("At risk", "Gefährdet"),
    "alerts_reps": ("Reps with alerts", "Mitarbeiter mit Warnungen"),
    "alerts_by_rep": ("Per rep", "Pro Mitarbeiter"),
    "alerts_list": ("What to do, most urgent first", "Was zu tun ist, Dringendstes zuerst"),
    "no_alerts": (
        "Nothing at risk: every open MQL is within its deadlines.",
        "Nichts gefährdet: Jeder offene MQL liegt innerhalb seiner Fristen.",
    ),
    # access: login, roles, read-only
    "nav_login": ("Log in", "Anmelden"),
    "login_title": ("SLA Analytics: please log in", "SLA-Analytics: bitte anmelden"),
    "login_body": (
        "This app shows your company's sales and marketing figures. Log in with your "
        "company account to see them.",
        "Diese App zeigt die Vertriebs- und Marketingzahlen Ihres Unternehmens. Melden Sie "
        "sich mit Ihrem Firmenkonto an, um sie zu sehen.",
    ),
    "login_button": ("Log in", "Anmelden"),
    "logout_button": ("Log out", "Abmelden"),
    "config_invalid_ask_admin": (
        "The SLA config is not valid, so the app cannot open. An admin of the SLA sees "
        "what is wrong and can fix it.",
        "Die SLA-Konfiguration ist nicht gültig, daher kann die App nicht öffnen. Ein Admin "
        "des SLA sieht, was falsch ist, und kann es beheben.",
    ),
    "config_invalid_admin": (
        "**{path}**: the SLA config is not valid. Fix what is named below and reload the page.",
        "**{path}**: Die SLA-Konfiguration ist nicht gültig. Beheben Sie, was unten genannt "
        "ist, und laden Sie die Seite neu.",
    ),
    "upload_timezone": ("Time zone of times without an offset", "Zeitzone von Zeiten ohne Versatz"),
    "upload_timezone_help": (
        "HubSpot, Salesforce reports and office spreadsheets write local times without an "
        "offset: choose the zone they were exported in (your SLA reports in {zone}). As "
        "`sla import --timezone`.",
        "HubSpot, Salesforce-Berichte und Tabellen aus Office-Programmen schreiben Ortszeiten "
        "ohne Versatz: die Zone wählen, in der sie exportiert wurden (Ihr SLA berichtet in "
        "{zone}). Wie `sla import --timezone`.",
    ),
    "upload_date_format": (
        "Date layout (optional)",
        "Datumsformat (optional)",
    ),
    "upload_opportunity_types": (
        "Opportunity types (optional)",
        "Opportunity-Typen (optional)",
    ),
    "upload_opportunity_types_help": (
        "Only the opportunities of these types are read, named as the export writes them "
        "(its Type column), separated by commas: e.g. New Business beside Renewal. Empty: "
        "every opportunity counts, and the preview says so when they are of several types. "
        "As `sla import --opportunity-type`.",
        "Nur die Opportunities dieser Typen werden gelesen, benannt wie im Export (Spalte "
        "Type), durch Kommas getrennt: z. B. New Business neben Renewal. Leer: jede "
        "Opportunity zählt, und die Vorschau sagt es, wenn sie von mehreren Typen sind. Wie "
        "`sla import --opportunity-type`.",
    ),
    "upload_pipelines": (
        "Deal pipelines (optional)",
        "Deal-Pipelines (optional)",
    ),
    "upload_pipelines_help": (
        "Only the deals of these pipelines are read, named as the export writes them (its "
        "Pipeline column), separated by commas: e.g. your new-business pipeline beside a "
        "renewals one. Empty: every deal counts, and the preview says so when they are of "
        "several pipelines. As `sla import --pipeline`.",
        "Nur die Deals dieser Pipelines werden gelesen, benannt wie im Export (Spalte "
        "Pipeline), durch Kommas getrennt: z. B. die Neugeschäfts-Pipeline neben einer für "
        "Verlängerungen. Leer: jeder Deal zählt, und die Vorschau sagt es, wenn sie aus "
        "mehreren Pipelines sind. Wie `sla import --pipeline`.",
    ),
    "upload_date_format_help": (
        "Read first in this layout: dates such as `10/05/2026` (the month or the day may come "
        "first) are read only in a layout given, and the preview's quarantine names the one "
        "that reads them, e.g. `%m/%d/%Y %I:%M %p` for `10/13/2026 4:01 PM`. Empty: ISO 8601 "
        "(`2026-10-05 09:12`) and `05.10.2026` are read. As `sla import --date-format`.",
        "Zuerst in diesem Format gelesen: Daten wie `10/05/2026` (Monat oder Tag kann vorn "
        "stehen) werden nur in einem angegebenen Format gelesen, und die Quarantäne der "
        "Vorschau nennt das passende, z. B. `%m/%d/%Y %I:%M %p` für `10/13/2026 4:01 PM`. "
        "Leer: ISO 8601 (`2026-10-05 09:12`) und `05.10.2026` werden gelesen. Wie "
        "`sla import --date-format`.",
    ),
    "no_access_title": ("No access", "Kein Zugang"),
    "no_access": (
        "You are logged in as **{name}** (subject `{subject}`), but this account may not "
        "use the app. Ask an admin of the SLA to add it to `[access]` in the SLA config: "
        "its e-mail address if your login provider marks it verified, else the subject.",
        "Sie sind als **{name}** angemeldet (Subject `{subject}`), aber dieses Konto darf "
        "die App nicht nutzen. Bitten Sie einen Admin des SLA, es unter `[access]` in der "
        "SLA-Konfiguration einzutragen: mit der E-Mail-Adresse, wenn Ihr Anmeldedienst sie "
        "als bestätigt meldet, sonst mit dem Subject.",
    ),
    "signed_in": ("Logged in as {name} ({role})", "Angemeldet als {name} ({role})"),
    "role_admin": ("admin", "Admin"),
    "role_viewer": ("viewer", "Betrachter"),
    "read_only": (
        "Read-only: importing is for admins of the SLA.",
        "Nur Lesen: Importieren dürfen nur Admins des SLA.",
    ),
    "read_only_app": (
        "This app is read-only (`SLA_READONLY=1`): nothing can be imported here.",
        "Diese App ist schreibgeschützt (`SLA_READONLY=1`): Hier kann nichts importiert werden.",
    ),
    # qualification: observed or estimated what-ifs, reasons per lead
    "c_mqls_panel_title": ("MQLs per month by threshold", "MQLs pro Monat je Schwelle"),
    "c_mqls_count_y": ("MQLs per month (count)", "MQLs pro Monat (Anzahl)"),
    "c_sqls_panel_title": (
        "SQLs per month by threshold (band: estimate's range)",
        "SQLs pro Monat je Schwelle (Band: Spanne der Schätzung)",
    ),
    "c_sqls_count_y": ("SQLs per month (count)", "SQLs pro Monat (Anzahl)"),
    "basis_observed": ("observed", "beobachtet"),
    "basis_estimated": ("model estimate", "Modellschätzung"),
    "c_sqls_low": ("lowest (only what happened)", "mindestens (nur was geschah)"),
    "c_sqls_high": ("highest", "höchstens"),
    "sqls_observed_note": (
        "Observed: every MQL at this threshold was handed over to sales.",
        "Beobachtet: Jeder MQL bei dieser Schwelle ging an den Vertrieb.",
    ),
    "sqls_estimated_note": (
        "Model estimate, range {low} to {high}: {share} of these MQLs were never handed over.",
        "Modellschätzung, Spanne {low} bis {high}: {share} dieser MQLs gingen nie an den Vertrieb.",
    ),
    "estimate_explained": (
        "Below today's threshold ({threshold}) outcomes are estimated, not observed: leads "
        "never handed over (no MQL recorded; without MQL records, those that never reached "
        "it) were not worked by sales, so nobody knows whether sales would have converted "
        "them. The lowest figure counts only the SQLs that happened anyway; the estimate and "
        "the highest assume they convert like the handed-over leads nearest the threshold.",
        "Unter der heutigen Schwelle ({threshold}) sind Ergebnisse geschätzt, nicht "
        "beobachtet: Leads, die nie an den Vertrieb gingen (kein MQL erfasst; ohne erfasste "
        "MQLs die, die sie nie erreichten), bearbeitete der Vertrieb nicht, niemand weiß, ob "
        "er sie gewonnen hätte. Der niedrigste Wert zählt nur die SQLs, die trotzdem "
        "entstanden; Schätzung und höchster Wert nehmen an, dass sie wie die übergebenen "
        "Leads nahe der Schwelle konvertieren.",
    ),
    "segments_title": ("Calibration by segment", "Kalibrierung nach Segment"),
    "segments_note": (
        "The rule score's probability against what happened, per source and size band (test "
        "leads; segments of at least {n} leads are judged). Off: the mean prediction lies "
        "outside the observed rate's 95 % interval.",
        "Die Wahrscheinlichkeit des Regel-Scores gegen das Geschehene, je Quelle und "
        "Größenklasse (Testleads; Segmente ab {n} Leads werden beurteilt). Daneben: Die "
        "mittlere Vorhersage liegt außerhalb des 95-%-Intervalls der beobachteten Quote.",
    ),
    "segments_off": (
        "The score is off for: {segments}.",
        "Der Score liegt daneben bei: {segments}.",
    ),
    "segments_all_ok": (
        "No judged segment is off.",
        "Kein beurteiltes Segment liegt daneben.",
    ),
    "segment_off_item": (
        "{segment} ({dimension}: predicted {predicted}, observed {observed})",
        "{segment} ({dimension}: vorhergesagt {predicted}, beobachtet {observed})",
    ),
    "feedback_title": ("Sales feedback into scoring", "Rückmeldung des Vertriebs an das Scoring"),
    "feedback_note": (
        "Why sales disqualified or recycled handed-over leads, by fit and interest grade at "
        "the MQL moment. A reason that concentrates in one fit grade points at the fit "
        "points.",
        "Warum der Vertrieb übergebene Leads disqualifizierte oder recycelte, nach Fit- und "
        "Interesse-Klasse zum MQL-Zeitpunkt. Ein Grund, der sich in einer Fit-Klasse ballt, "
        "weist auf die Fit-Punkte.",
    ),
    "feedback_suggestion": (
        "Suggestion, not applied: {share} of the MQLs rejected for “{reason}” were fit grade "
        "{grade}. Lowering {dimension} {value} from {now} to {new} points would have kept "
        "{kept} of those {of} leads below the threshold; {lost} MQLs with the same attribute "
        "that became SQL would have stayed below too.",
        "Vorschlag, nicht angewendet: {share} der wegen „{reason}“ abgelehnten MQLs hatten "
        "die Fit-Klasse {grade}. {dimension} {value} von {now} auf {new} Punkte zu senken, "
        "hätte {kept} dieser {of} Leads unter der Schwelle gehalten; {lost} MQLs mit "
        "demselben Merkmal, die SQL wurden, wären ebenfalls darunter geblieben.",
    ),
    "feedback_none": (
        "No rejection reason concentrates in one fit grade: no rule change to suggest.",
        "Kein Ablehnungsgrund ballt sich in einer Fit-Klasse: keine Regeländerung vorzuschlagen.",
    ),
    "lead_list_title": ("Open leads by score, and why", "Offene Leads nach Score, und warum"),
    "lead_list_note": (
        "The {n} open leads (no SQL, not disqualified) with the highest rule score today. "
        "Why: the points of each attribute and activity type, interest decayed to today "
        "(half-life {half_life} days), caps shown as minus.",
        "Die {n} offenen Leads (kein SQL, nicht disqualifiziert) mit dem höchsten Regel-Score "
        "heute. Warum: die Punkte je Merkmal und Aktivitätsart, Interesse bis heute "
        "abgeklungen (Halbwertszeit {half_life} Tage), Obergrenzen als Minus.",
    ),
    "lead_list_model": (
        "Model {version}: its chance of an SQL at the lead's scoring moment, and the three "
        "features that move it most against a typical lead (in percentage points).",
        "Modell {version}: seine SQL-Chance zum Bewertungszeitpunkt des Leads und die drei "
        "Merkmale, die sie gegenüber einem typischen Lead am stärksten verschieben (in "
        "Prozentpunkten).",
    ),
    "lead_list_no_model": (
        "No saved model with per-lead factors: train one with `sla score train` to see the "
        "model's factors here.",
        "Kein gespeichertes Modell mit Faktoren je Lead: Trainieren Sie eines mit "
        "`sla score train`, um hier die Faktoren des Modells zu sehen.",
    ),
    "extra_per_mql": (
        "Extra SQLs per extra MQL against {threshold}: {ratio} ({basis}; the SLA asks for at "
        "least {minimum}).",
        "Zusätzliche SQLs je zusätzlichem MQL gegenüber {threshold}: {ratio} ({basis}; das SLA "
        "verlangt mindestens {minimum}).",
    ),
    # handoffs: leakage and warnings
    "leakage_title": ("Lead leakage", "Lead-Verluste"),
    "leakage_caption": (
        "Every MQL episode of the month in one step, the first that applies: never "
        "assigned, never touched (also those whose first touch is still due: at risk, not "
        "yet never contacted), SQL, fewer attempts than agreed (not reached, window over), "
        "recycled, disqualified, else still open.",
        "Jede MQL-Episode des Monats in genau einem Schritt, dem ersten zutreffenden: nie "
        "zugewiesen, nie kontaktiert (auch die, deren Erstkontakt noch fällig ist: gefährdet, "
        "noch nicht nie kontaktiert), SQL, weniger Versuche als vereinbart (nicht erreicht, "
        "Fenster vorbei), recycelt, disqualifiziert, sonst noch offen.",
    ),
    "c_leakage_title": ("Where the month's MQLs went", "Wohin die MQLs des Monats gingen"),
    "leakage_list": ("List of the step", "Liste des Schritts"),
    "step": ("Step", "Schritt"),
    "buckets_title": ("Speed to lead in minutes and hours", "Reaktionszeit in Minuten und Stunden"),
    "buckets_caption": (
        "Share of the month's MQL episodes touched within 5 min, 15 min, 1 h, 4 h and 24 h "
        "(calendar time, the lead-response research's buckets; base: every episode but the "
        "pending ones); median and p90 of those touched.",
        "Anteil der MQL-Episoden des Monats mit Erstkontakt binnen 5 Min., 15 Min., 1 h, 4 h "
        "und 24 h (Kalenderzeit, die Stufen der Lead-Response-Forschung; Basis: alle "
        "Episoden außer den offenen); Median und p90 der kontaktierten.",
    ),
    "buckets_by": ("Per", "Pro"),
    "no_bucket_conversion": (
        "No MQL episode of the year before the conversion window has a known outcome yet: "
        "no conversion by speed to show.",
        "Noch keine MQL-Episode des Jahres vor dem Konversionsfenster hat ein bekanntes "
        "Ergebnis: keine Konversion nach Reaktionszeit.",
    ),
    "buckets_by_owner_rep_id": ("rep", "Mitarbeiter"),
    "buckets_by_source": ("source", "Quelle"),
    "buckets_by_first_touch_channel": ("first-touch channel", "Kanal des Erstkontakts"),
    "c_bucket_conv_title": (
        "MQL -> SQL by speed to lead (episodes of the year before the conversion window; "
        "bars: 95 % CI)",
        "MQL -> SQL nach Reaktionszeit (Episoden des Jahres vor dem Konversionsfenster; "
        "Balken: 95-%-KI)",
    ),
    "c_bucket": ("First touch", "Erstkontakt"),
    "no_touch": ("no touch", "kein Kontakt"),
    "fair_title": ("Fair distribution", "Faire Verteilung"),
    "fair_caption": (
        "MQLs of the month per rep against their weekly capacity (load 100 % = at "
        "capacity); a running month counts the weeks so far.",
        "MQLs des Monats pro Mitarbeiter gegenüber der Wochenkapazität (Auslastung 100 % = "
        "voll); ein laufender Monat zählt die Wochen bis jetzt.",
    ),
    "inactive_receiving": (
        "Inactive reps still receive MQLs: {reps}. Check the routing.",
        "Inaktive Mitarbeiter erhalten noch MQLs: {reps}. Routing prüfen.",
    ),
    "c_conv_y": ("MQL → SQL (%)", "MQL → SQL (%)"),
    "warnings_title": ("Did the warnings work?", "Haben die Warnungen gewirkt?"),
    "warnings_caption": (
        "MQL episodes of the month whose owner `sla notify` warned before the first-touch "
        "deadline, and how many of them were touched in time.",
        "MQL-Episoden des Monats, deren Verantwortliche `sla notify` vor der "
        "Erstkontakt-Frist gewarnt hat, und wie viele davon rechtzeitig kontaktiert wurden.",
    ),
    "no_warnings": (
        "No warning was sent for this month's MQLs (configure [notify] and run `sla notify`).",
        "Für die MQLs dieses Monats wurde keine Warnung gesendet ([notify] einrichten und "
        "`sla notify` ausführen).",
    ),
    "no_send_log": (
        "No send log of `sla notify` yet, so whether warnings helped cannot be said "
        "(configure [notify] and run `sla notify`).",
        "Noch kein Sendeprotokoll von `sla notify`, daher lässt sich nicht sagen, ob "
        "Warnungen geholfen haben ([notify] einrichten und `sla notify` ausführen).",
    ),
    "assignment_title": ("Assignment delay vs rep delay", "Zuweisung oder Mitarbeiter?"),
    "assignment_caption": (
        "Median hours from the MQL to the owner's assignment (routing, the system's part) "
        "and from the assignment to the first touch (the rep's part). An owner assigned "
        "before the MQL had the lead already: the rep's clock starts at the MQL.",
        "Median der Stunden vom MQL bis zur Zuweisung an den Verantwortlichen (Routing, der "
        "Anteil des Systems) und von der Zuweisung bis zum Erstkontakt (der Anteil des "
        "Mitarbeiters). Wer den Lead schon vor dem MQL hatte, dessen Uhr läuft ab dem MQL.",
    ),
    "no_assignment": (
        "No lead has an assignment time (leads.assigned_at), so routing's part cannot be "
        "told from the rep's: import the column leads.assigned_at (a HubSpot export has it "
        "as Owner assigned date; other CRMs keep it in a custom field or the owner history).",
        "Kein Lead hat einen Zuweisungszeitpunkt (leads.assigned_at), daher lässt sich der "
        "Anteil des Routings nicht von dem des Mitarbeiters trennen: importieren Sie die "
        "Spalte leads.assigned_at (ein HubSpot-Export führt sie als Owner assigned date; "
        "andere CRMs in einem eigenen Feld oder im Besitzerverlauf).",
    ),
    # -- coverage: what the data can answer --
    "no_trend": (
        "No KPI of this team can be measured from the data in these months.",
        "Keine KPI dieses Teams lässt sich in diesen Monaten aus den Daten messen.",
    ),
    "coverage_title": ("What your data can answer", "Was Ihre Daten beantworten können"),
    "coverage_intro": (
        "Each measure needs certain tables. What the data cannot answer is shown as – with "
        "the reason, never as 0 or as missed.",
        "Jede Kennzahl braucht bestimmte Tabellen. Was die Daten nicht beantworten können, "
        "erscheint als – mit dem Grund, nie als 0 oder als verfehlt.",
    ),
    "c_measure": ("Measure", "Kennzahl"),
    "c_pages": ("Pages", "Seiten"),
    "c_answerable": ("Can answer", "Beantwortbar"),
    "c_to_import": ("What to import", "Was importieren"),
    "cov_yes_from": ("yes, {start} to {end}", "ja, {start} bis {end}"),
    "cov_yes": ("yes", "ja"),
    "cov_no": ("no", "nein"),
    "coverage_definition": (
        "A measure is judged only where the data can answer it: every table it needs has "
        "rows on or before the month's end and on or after its start. Before a table's "
        "first row (touches tracked only since March: speed to lead before March) the "
        "measure is not measurable: – with the reason, status *no data*, counted in none of "
        "met / at risk / missed, with no action item, breach list, significance test or "
        "trend dot. A running month (not ended at the moment of judgement) is judged against "
        "volume targets pro-rated by the days elapsed and not compared with the month "
        "before; a segment's volumes only against its own targets.",
        "Eine Kennzahl wird nur bewertet, wo die Daten sie beantworten können: Jede Tabelle, "
        "die sie braucht, hat Zeilen bis zum Monatsende und ab dem Monatsanfang. Vor der "
        "ersten Zeile einer Tabelle (Kontakte erst seit März erfasst: Reaktionszeit vor März) "
        "ist sie nicht messbar: – mit dem Grund, Status *keine Daten*, in keiner der Zahlen "
        "erfüllt / gefährdet / verfehlt, ohne Maßnahme, Verstoßliste, Signifikanztest oder "
        "Trendpunkt. Ein laufender Monat (zum Stichtag nicht zu Ende) wird an anteilig nach "
        "den vergangenen Tagen gekürzten Mengenzielen gemessen und nicht mit dem Vormonat "
        "verglichen; die Mengen eines Segments nur an dessen eigenen Zielen.",
    ),
    # -- issue 14: sections without data, pending episodes, unassigned leads --
    "no_enrollments": (
        "No lead was enrolled in a nurture track this month.",
        "In diesem Monat wurde kein Lead in einen Nurturing-Track eingeschrieben.",
    ),
    "no_exits": (
        "No lead left a nurture track this month.",
        "In diesem Monat hat kein Lead einen Nurturing-Track verlassen.",
    ),
    "at_risk_first_touch": ("At risk: first touch due", "Gefährdet: Erstkontakt fällig"),
    "segment_targets": ("Targets of segments", "Ziele von Segmenten"),
    "segment_targets_note": (
        "With a segment filter, rates are judged against their targets; volumes and goal "
        "pacing only against a segment's own targets (`[[goals.segments]]`), otherwise they "
        "are not judged for a segment.",
        "Mit einem Segmentfilter werden Quoten an ihren Zielen gemessen; Mengen und der "
        "Zielpfad nur an eigenen Zielen des Segments (`[[goals.segments]]`), sonst werden "
        "sie für ein Segment nicht bewertet.",
    ),
    "no_segment_targets": (
        "No segment has targets of its own: add `[[goals.segments]]` to the SLA config "
        "(by, value, mql_target_monthly, revenue_target_monthly, kpis).",
        "Kein Segment hat eigene Ziele: `[[goals.segments]]` in der SLA-Konfiguration "
        "ergänzen (by, value, mql_target_monthly, revenue_target_monthly, kpis).",
    ),
    "campaign": ("Campaign", "Kampagne"),
    "no_reverse_rates": (
        "No conversion rates in the {months} months before this month: the reverse funnel "
        "needs their history (import earlier months, or choose a later month).",
        "Keine Konversionsraten in den {months} Monaten vor diesem Monat: die "
        "Rückwärtsrechnung braucht deren Verlauf (frühere Monate importieren oder einen "
        "späteren Monat wählen).",
    ),
    "at_risk_note": (
        "Not breaches: untouched MQLs whose first-touch deadline had not passed at the as-of "
        "date, soonest deadline first.",
        "Keine Verstöße: MQLs ohne Kontakt, deren Frist für den Erstkontakt zum Datenstand "
        "nicht abgelaufen war, früheste Frist zuerst.",
    ),
}


#: Table column -> (English, German) label with its unit, the same on every page. Tables on
#: screen show these labels (``ui.table``); CSV downloads keep the stable column names.
#: ``{currency}`` is the reporting currency of the SLA config.
COLUMNS: dict[str, tuple[str, str]] = {
    # people and leads
    "lead_id": ("Lead ID", "Lead-ID"),
    "episode": ("MQL episode no.", "MQL-Episode Nr."),
    "rep_id": ("Rep ID", "Mitarbeiter-ID"),
    "rep_name": ("Rep", "Mitarbeiter"),
    "rep_id_name": ("Rep", "Mitarbeiter"),
    "rep": ("Rep", "Mitarbeiter"),
    "week": ("Week of the MQL", "Woche des MQL"),
    "owner_rep_id": ("Owner ID", "Verantwortlich (ID)"),
    "owner_rep_id_name": ("Owner", "Verantwortlich"),
    "team": ("Team", "Team"),
    # handoffs
    "episodes": ("MQL episodes", "MQL-Episoden"),
    "met": ("Met", "Erfüllt"),
    "missed": ("Missed", "Verfehlt"),
    "pending": ("Pending", "Offen"),
    "compliance": ("Compliance (%)", "Einhaltung (%)"),
    "median_hours_to_first_touch": ("Median to first touch (h)", "Median bis Erstkontakt (h)"),
    "p90_hours_to_first_touch": ("p90 to first touch (h)", "p90 bis Erstkontakt (h)"),
    "started_at": ("MQL since (UTC)", "MQL seit (UTC)"),
    "first_touch_at": ("First touch (UTC)", "Erstkontakt (UTC)"),
    "hours_to_first_touch": ("To first touch (h)", "Bis Erstkontakt (h)"),
    "hours_over": ("Over the SLA by (h)", "Über dem SLA um (h)"),
    "recycled_at": ("Recycled (UTC)", "Recycelt (UTC)"),
    "attempts": ("Attempts", "Versuche"),
    "is_reached": ("Reached", "Erreicht"),
    "is_premature": ("Premature", "Vorzeitig"),
    "attempts_short": ("Attempts missing", "Fehlende Versuche"),
    "unanswered": ("Unanswered attempts", "Unbeantwortete Versuche"),
    "last_touch_at": ("Last touch (UTC)", "Letzter Kontakt (UTC)"),
    "days_since_last_touch": ("Since last touch (days)", "Seit letztem Kontakt (Tage)"),
    "days_over_grace": ("Over the grace period (days)", "Über der Karenzzeit (Tage)"),
    "enrolled_at": ("Enrolled (UTC)", "Aufgenommen (UTC)"),
    "days_to_enroll": ("To enrollment (days)", "Bis zur Aufnahme (Tage)"),
    "end_stage": ("Ended as", "Endete als"),
    "hours_waiting": ("Waiting (h)", "Wartet seit (h)"),
    "spaced_attempts": ("Attempts far enough apart", "Versuche mit genug Abstand"),
    # management
    "judged": ("Judged episodes", "Bewertete Episoden"),
    "held": ("Cadence held", "Kadenz eingehalten"),
    "rate": ("Rate (%)", "Quote (%)"),
    "attempts_per_mql": ("Attempts per MQL", "Versuche pro MQL"),
    "never_contacted": ("Never contacted", "Nie kontaktiert"),
    # nurture
    "track": ("Nurture track", "Nurture-Track"),
    "buyer_stage": ("Buyer stage", "Kaufphase"),
    "is_known": ("In the SLA config", "In der SLA-Konfiguration"),
    "in_config": ("In the SLA config", "In der SLA-Konfiguration"),
    "enrollments": ("Enrollments", "Aufnahmen"),
    "description": ("Description", "Beschreibung"),
    "sales_can_trigger": ("Sales may trigger", "Vertrieb darf auslösen"),
    "outcome": ("Outcome", "Ergebnis"),
    "became_mql": ("Became MQL again", "Wieder MQL geworden"),
    # qualification
    "threshold": ("MQL threshold (points)", "MQL-Schwelle (Punkte)"),
    "mqls_per_month": ("MQLs per month", "MQLs pro Monat"),
    "mqls_per_week": ("MQLs per week", "MQLs pro Woche"),
    "precision": ("Precision (%)", "Präzision (%)"),
    "recall": ("Recall (%)", "Trefferquote (%)"),
    "expected_sqls_per_month": ("Expected SQLs per month", "Erwartete SQLs pro Monat"),
    "expected_pipeline_per_month": (
        "Expected pipeline per month ({currency})",
        "Erwartete Pipeline pro Monat ({currency})",
    ),
    "workload_ratio": ("Sales workload (% of capacity)", "Vertriebsauslastung (% der Kapazität)"),
    "mature_mqls": ("MQLs with a closed window", "MQLs mit abgeschlossenem Fenster"),
    "basis": ("Outcomes", "Ergebnisse"),
    "unobserved_share": ("Never handed over (%)", "Nie übergeben (%)"),
    "estimated_sqls_per_month": ("SQLs per month, estimated", "SQLs pro Monat, geschätzt"),
    "estimated_sqls_low": ("SQLs per month, lowest", "SQLs pro Monat, mindestens"),
    "estimated_sqls_high": ("SQLs per month, highest", "SQLs pro Monat, höchstens"),
    "extra_sqls_per_extra_mql": (
        "Extra SQLs per extra MQL (%)",
        "Zusätzliche SQLs je zusätzlichem MQL (%)",
    ),
    "score": ("Rule score (points)", "Regel-Score (Punkte)"),
    "dimension": ("Dimension", "Dimension"),
    "segment": ("Segment", "Segment"),
    "predicted_rate": ("Predicted (%)", "Vorhergesagt (%)"),
    "observed_rate": ("Observed (%)", "Beobachtet (%)"),
    "ece_share": ("ECE (%)", "ECE (%)"),
    "off": ("Off", "Daneben"),
    "test_leads": ("Test leads", "Testleads"),
    "rejected_mqls": ("Rejected MQLs", "Abgelehnte MQLs"),
    "share_of_reason": ("Share of the reason (%)", "Anteil am Grund (%)"),
    "fit_grade_share_of_mqls": (
        "Fit grade's share of all MQLs (%)",
        "Anteil der Fit-Klasse an allen MQLs (%)",
    ),
    "became_sql": ("Became SQL", "Wurden SQL"),
    "fit_points": ("Fit points", "Fit-Punkte"),
    "interest_points": ("Interest points", "Interesse-Punkte"),
    "fit_grade": ("Fit grade", "Fit-Klasse"),
    "interest_grade": ("Interest grade", "Interesse-Klasse"),
    "reasons": (
        "Why: points by attribute and activity",
        "Warum: Punkte nach Merkmal und Aktivität",
    ),
    "probability": ("Model: chance of an SQL (%)", "Modell: SQL-Chance (%)"),
    "factors": ("Model: top factors", "Modell: wichtigste Faktoren"),
    # definitions
    "setting": ("Setting", "Einstellung"),
    "value": ("Value", "Wert"),
    "kpi": ("KPI", "KPI"),
    "metric": ("Metric key", "Kennzahl-Schlüssel"),
    "direction": ("Direction", "Richtung"),
    "target": ("Target", "Ziel"),
    "points": ("Points", "Punkte"),
    "activity": ("Activity", "Aktivität"),
    "cap": ("Cap (points)", "Obergrenze (Punkte)"),
    # review
    "kind": ("Kind", "Art"),
    "amount": ("Amount", "Ausmaß"),
    "unit": ("Unit", "Einheit"),
    "detail": ("Detail", "Detail"),
    "label": ("Metric", "Kennzahl"),
    "previous": ("Previous month", "Vormonat"),
    "change": ("Change", "Veränderung"),
    "full_target": ("Target of the whole month", "Ziel des ganzen Monats"),
    "current": ("This month", "Dieser Monat"),
    "previous_x": ("Previous month: count", "Vormonat: Anzahl"),
    "previous_n": ("Previous month: of", "Vormonat: von"),
    "current_x": ("This month: count", "Dieser Monat: Anzahl"),
    "current_n": ("This month: of", "Dieser Monat: von"),
    "p_value": ("p-value", "p-Wert"),
    "is_better": ("Better", "Besser"),
    # data
    "load_id": ("Load no.", "Ladevorgang Nr."),
    "table_name": ("Table", "Tabelle"),
    "source_file": ("Source file", "Quelldatei"),
    "file_sha256": ("File SHA-256", "Datei-SHA-256"),
    "rows": ("Rows", "Zeilen"),
    "rows_read": ("Rows read", "Zeilen gelesen"),
    "rows_loaded": ("Rows loaded", "Zeilen geladen"),
    "rows_rejected": ("Rows rejected", "Zeilen abgelehnt"),
    "rows_added": ("Rows added", "Zeilen neu"),
    "rows_changed": ("Rows changed", "Zeilen geändert"),
    "rows_unchanged": ("Rows unchanged", "Zeilen unverändert"),
    "rows_removed": ("Rows removed", "Zeilen entfernt"),
    "loaded_at": ("Loaded (UTC)", "Geladen (UTC)"),
    "format": ("Format", "Format"),
    # the load log's: a full snapshot of its table (--replace), the data's latest moment
    # after it, a purge erased it (its row stays as the record)
    "replaced": ("Replaced its table", "Tabelle ersetzt"),
    "data_as_of": ("Data as of (UTC)", "Datenstand (UTC)"),
    "erased": ("Erased by a purge", "Per Purge gelöscht"),
    "line": ("Line", "Zeile"),
    "lines": ("Lines", "Zeilen-Nr."),
    "column": ("Column", "Spalte"),
    # an adapter's or mapping's import: the column as the export's header writes it
    "source_column": ("Column in the export", "Spalte im Export"),
    "reason": ("Reason", "Grund"),
    "version": ("Version", "Version"),
    "effective_from": ("In force from", "Gültig ab"),
    "name": ("Name", "Name"),
    "content_hash": ("Content hash", "Inhalts-Hash"),
    "source": ("Source", "Quelle"),
    "first_used_at": ("First used (UTC)", "Zuerst verwendet (UTC)"),
    "config_file": ("Config file", "Konfigurationsdatei"),
    "retired_at": ("Retired (UTC)", "Zurückgezogen (UTC)"),
    "retired_reason": ("Why retired", "Grund des Rückzugs"),
    "status": ("Status", "Status"),
    # goal pacing
    "stage_name": ("Stage", "Phase"),
    "actual": ("To date", "Bisher"),
    "expected_to_date": ("Expected by now", "Soll bis jetzt"),
    "forecast": ("Forecast", "Prognose"),
    "forecast_attainment": ("Forecast / target (%)", "Prognose / Ziel (%)"),
    # at risk now
    "alert_status": ("Status", "Status"),
    "alert_kind": ("Alert", "Warnung"),
    "company": ("Company", "Unternehmen"),
    "deadline_at": ("Deadline (UTC)", "Frist (UTC)"),
    "deadline_local": ("Deadline (local time)", "Frist (Ortszeit)"),
    "hours_left": ("Hours left", "Verbleibende Stunden"),
    "todo": ("What to do", "Was zu tun ist"),
    "overdue": ("Overdue", "Überfällig"),
    "at_risk": ("At risk", "Gefährdet"),
    "first_touch_due": (
        "First touch due (this month's MQLs)",
        "Erstkontakt fällig (MQLs des Monats)",
    ),
    "total": ("Alerts", "Warnungen"),
    "first_touch": ("First touch", "Erstkontakt"),
    "cadence": ("Cadence", "Kadenz"),
    "stale": ("Going stale", "Droht liegenzubleiben"),
    "nurture_enrolment": ("Nurture enrolment", "Aufnahme ins Nurturing"),
    "goal_target": ("Revenue goal / needed for it", "Umsatzziel / dafür nötig"),
    # handoffs: leakage and warnings
    "step": ("Step", "Schritt"),
    "remaining": ("Not yet accounted for", "Noch nicht zugeordnet"),
    "share": ("Share (%)", "Anteil (%)"),
    "warned": ("Warned before the deadline", "Vor der Frist gewarnt"),
    "touched": ("Touched", "Kontaktiert"),
    "mqls": ("MQLs", "MQLs"),
    "weekly_capacity": ("Weekly capacity (MQLs)", "Wochenkapazität (MQLs)"),
    "load": ("Load (% of capacity)", "Auslastung (% der Kapazität)"),
    "active": ("Active", "Aktiv"),
    "is_inactive_receiving": ("Inactive, still receiving", "Inaktiv, erhält noch Leads"),
    "within_5_min": ("Within 5 min (%)", "Binnen 5 Min. (%)"),
    "within_15_min": ("Within 15 min (%)", "Binnen 15 Min. (%)"),
    "within_1_h": ("Within 1 h (%)", "Binnen 1 h (%)"),
    "within_4_h": ("Within 4 h (%)", "Binnen 4 h (%)"),
    "within_24_h": ("Within 24 h (%)", "Binnen 24 h (%)"),
    "median_hours": ("Median to first touch (h)", "Median bis Erstkontakt (h)"),
    "p90_hours": ("p90 to first touch (h)", "p90 bis Erstkontakt (h)"),
    "first_touch_channel": ("First-touch channel", "Kanal des Erstkontakts"),
    "with_assignment": ("With assignment time", "Mit Zuweisungszeitpunkt"),
    "median_routing_hours": (
        "Routing: median to assignment (h)",
        "Routing: Median bis Zuweisung (h)",
    ),
    "median_rep_hours": (
        "Rep: median from assignment to first touch (h)",
        "Mitarbeiter: Median von Zuweisung bis Erstkontakt (h)",
    ),
    # the reps at a glance (Overview)
    "first_touch_rate": ("First touch (%)", "Erstkontakt (%)"),
    "cadence_rate": ("Cadence (%)", "Kadenz (%)"),
    "stale_leads": ("Stale", "Liegengeblieben"),
    "open_breaches": ("Open breaches", "Offene Verstöße"),
    # segment targets (Definitions)
    "segment_revenue_target": (
        "Revenue goal per month ({currency})",
        "Umsatzziel pro Monat ({currency})",
    ),
    "segment_mql_target": ("MQLs per month", "MQLs pro Monat"),
    "segment_kpi_targets": ("Other volume targets", "Weitere Mengenziele"),
}


def t(key: str, lang: Lang = "en", **values: object) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    try:
        en, de = TEXT[key]
    except KeyError:
        raise KeyError(f"no text {key!r} in dashboard/i18n.py") from None
    text = de if lang == "de" else en
    return text.format(**values) if values else text


def column_label(name: str, lang: Lang = "en", *, currency: str = "EUR") -> str:
    """The on-screen label of a table column; a name not in :data:`COLUMNS` is already one.

    Example:
        >>> column_label("hours_over", "de")
        'Über dem SLA um (h)'
        >>> column_label("November 2026", "de")
        'November 2026'
    """
    if name not in COLUMNS:
        return name
    en, de = COLUMNS[name]
    return (de if lang == "de" else en).replace("{currency}", currency)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def num(value: float | None, lang: Lang = "en", *, digits: int = 0) -> str:
    """A number with thousands separators: ``1,234.5`` (en) or ``1.234,5`` (de); '–' if None.

    The library's :func:`analytics.texts.number`: the app and the library's texts write
    numbers alike.
    """
    return number(value, lang, digits=digits)


def pct(value: float | None, lang: Lang = "en", *, digits: int = 1) -> str:
    """A share as percent: ``34.2 %`` (en) / ``34,2 %`` (de); '–' if None."""
    return percent(value, lang, digits=digits)


def rate_text(
    rate: float | None,
    x: int | None,
    n: int | None,
    low: float | None,
    high: float | None,
    lang: Lang = "en",
) -> str:
    """A rate with its count and 95 % interval: ``34.2 % (41 / 120, 95 % CI 26–43 %)``.

    A narrow interval keeps one decimal (``1.7 % (514 / 30,012, 95 % CI 1.6–1.9 %)``).

    >>> rate_text(0.0171, 514, 30012, 0.0157, 0.0186, "de")
    '1,7 % (514 / 30.012, 95-%-KI 1,6–1,9 %)'
    >>> rate_text(0.342, 41, 120, 0.262, 0.431)
    '34.2 % (41 / 120, 95 % CI 26–43 %)'
    """
    count = f"{num(x, lang)} / {num(n, lang)}"
    if _missing(rate):
        return f"– ({count})"
    ci = ""
    if not _missing(low) and not _missing(high):
        # whole percent, or one decimal where whole ones would read "2–2 %"
        digits = 0 if round(low * 100) != round(high * 100) else 1
        bounds = f"{num(low * 100, lang, digits=digits)}–{num(high * 100, lang, digits=digits)}"
        ci = f", {t('ci', lang)} {bounds} %"
    return f"{pct(rate, lang)} ({count}{ci})"


def money(value: float | None, lang: Lang = "en", *, currency: str = "EUR") -> str:
    """An amount in the reporting currency, no decimals: ``EUR 1,250,000``."""
    if _missing(value):
        return "–"
    return f"{num(value, lang)} {currency}" if lang == "de" else f"{currency} {num(value, lang)}"


def compact(value: float | None, lang: Lang = "en") -> str:
    """A large number in few characters: ``1.2 M`` / ``1,2 Mio.``, ``12.3 k`` / ``12,3 Tsd.``."""
    if _missing(value):
        return "–"
    size = abs(value)
    if size >= 1_000_000:
        return f"{num(value / 1_000_000, lang, digits=1)} {'Mio.' if lang == 'de' else 'M'}"
    if size >= 10_000:
        return f"{num(value / 1_000, lang, digits=1)} {'Tsd.' if lang == 'de' else 'k'}"
    return num(value, lang)


_EN_MONTHS = "January February March April May June July August September October November December"
_DE_MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
MONTH_NAMES = {"en": _EN_MONTHS.split(" "), "de": _DE_MONTHS.split(" ")}


def month_name(month: str, lang: Lang = "en") -> str:
    """``2026-10`` -> ``October 2026`` / ``Oktober 2026``."""
    year, mon = month.split("-")
    return f"{MONTH_NAMES[lang][int(mon) - 1]} {year}"
