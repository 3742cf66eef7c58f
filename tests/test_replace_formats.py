"""``--replace`` with one format and the rows another format's imports loaded (audit
2026-12-06 messy exports, finding 17). The product decision: a snapshot speaks only for
what its own source loaded. A ``--replace`` of format F (an adapter, a mapping file, the
canonical format) removes only rows that loads of F saw (``meta.raw_seen`` and the load
log's ``format``); a row only other formats' loads saw stays, and the summary counts it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from export_support import folder_of

from analytics.warehouse import import_canonical, read_core_table
from analytics.warehouse.adapters import import_export
from analytics.warehouse.purge import purge

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
HUBSPOT = EXPORTS / "hubspot"
#: the leads the HubSpot fixture loads (107 is not in it; 109 and 112 are rejected)
CONTACTS = ["101", "102", "103", "104", "105", "106", "108", "110", "111"]
#: a canonical import's own lifecycle event of a HubSpot contact (HubSpot has no SAL date)
SAL = "lead_id,stage,entered_at,trigger\n101,sal,2026-09-04T12:00:00Z,manual\n"


def _stages(db: Path, lead: str) -> list[tuple]:
    events = read_core_table(db, "lifecycle_events").filter(pl.col("lead_id") == lead)
    return events.sort("entered_at").select("stage", "trigger").rows()


#: 101's events from the HubSpot fixture, with the canonical SAL
WITH_SAL = [
    ("lead", "hubspot_lifecycle"),
    ("mql", "hubspot_lifecycle"),
    ("sal", "manual"),
    ("sql", "hubspot_lifecycle"),
    ("opportunity", "hubspot_lifecycle"),
    ("customer", "hubspot_lifecycle"),
]


def test_a_hubspot_replace_keeps_the_event_a_canonical_import_loaded(tmp_path):
    """The canonical SAL of contact 101 was removed by the next HubSpot --replace (which
    has no SAL column): the review lost 101's acceptance."""
    db = tmp_path / "w.duckdb"
    import_export(db, HUBSPOT, fmt="hubspot")
    import_canonical(db, folder_of(tmp_path / "sal", **{"lifecycle_events.csv": SAL}))
    assert _stages(db, "101") == WITH_SAL
    result = import_export(db, HUBSPOT, fmt="hubspot", replace=True)
    assert _stages(db, "101") == WITH_SAL
    assert result.changes["lifecycle_events"]["removed"] == 0
    assert result.kept_for_other_formats == {"lifecycle_events": 1}
    assert result.to_json_dict()["kept_for_other_formats"] == {"lifecycle_events": 1}
    assert result.warnings()[-1] == (
        "lifecycle_events: 1 row(s) that only imports of another format brought were kept: "
        "a hubspot --replace speaks only for what hubspot imports loaded"
    )
    assert result.warnings(lang="de")[-1] == (
        "lifecycle_events: Zeilen, die nur Importe eines anderen Formats brachten, wurden "
        "behalten: 1; ein --replace im Format hubspot spricht nur für das, was Importe im "
        "Format hubspot geladen haben"
    )


def test_a_hubspot_replace_still_removes_its_own_rows_and_those_both_formats_saw(tmp_path):
    """A contact the export no longer has goes (and a canonical file that also had it
    does not make it another format's): 111 and 110 go, 101's canonical SAL stays."""
    db = tmp_path / "w.duckdb"
    import_export(db, HUBSPOT, fmt="hubspot")
    both = "lead_id,created_at,source\n110,2026-09-14T15:40:00Z,referral\n"
    import_canonical(
        db, folder_of(tmp_path / "c", **{"leads.csv": both, "lifecycle_events.csv": SAL})
    )
    contacts = HUBSPOT.joinpath("contacts.csv").read_text("utf-8").splitlines(keepends=True)
    kept = "".join(line for line in contacts if not line.startswith(("110,", "111,")))
    part = folder_of(tmp_path / "part", **{"contacts.csv": kept})
    result = import_export(db, part, fmt="hubspot", replace=True)
    leads = sorted(read_core_table(db, "leads")["lead_id"].to_list())
    # 112 loads now: without companies.csv its unknown company is not checked
    assert leads == [*(c for c in CONTACTS if c not in ("110", "111")), "112"]
    assert result.changes["leads"]["removed"] == 2
    assert result.kept_for_other_formats == {"lifecycle_events": 1}
    assert _stages(db, "101") == WITH_SAL


def test_a_canonical_replace_leaves_the_rows_only_an_adapter_loaded(tmp_path):
    """Canonical --replace is a snapshot of the canonical rows: L2 goes, the HubSpot
    contacts stay (they were removed, every one, with their events left behind)."""
    db = tmp_path / "w.duckdb"
    import_export(db, HUBSPOT, fmt="hubspot")
    head = "lead_id,created_at,source\n"
    l1, l2 = "L1,2026-10-01T08:00:00Z,email\n", "L2,2026-10-02T08:00:00Z,email\n"
    import_canonical(db, folder_of(tmp_path / "a", **{"leads.csv": head + l1 + l2}))
    result = import_canonical(
        db, folder_of(tmp_path / "b", **{"leads.csv": head + l1}), replace=True
    )
    assert sorted(read_core_table(db, "leads")["lead_id"].to_list()) == [*CONTACTS, "L1"]
    assert result.changes["leads"] == {"added": 0, "changed": 0, "unchanged": 1, "removed": 1}
    assert result.kept_for_other_formats == {"leads": len(CONTACTS)}


def test_a_mapping_replace_is_a_snapshot_of_its_own_mapping_only(tmp_path):
    """kontakte.toml's --replace removes a lead it loaded before and no longer has (K4),
    not one a canonical leads.csv loaded (C1) nor one another mapping file loaded (X1)."""
    mapping = EXPORTS / "mapping"
    db = tmp_path / "w.duckdb"
    import_export(db, mapping / "kontakte.csv", mapping=mapping / "kontakte.toml")
    head = "lead_id,created_at,source\n"
    import_canonical(db, folder_of(tmp_path / "c", **{"leads.csv": head + "C1,2026-09-01,email\n"}))
    other = tmp_path / "other.toml"
    other.write_text(
        'table = "leads"\n[columns]\nlead_id = "lead_id"\ncreated_at = "created_at"\n'
        '[defaults]\nsource = "other"\n'
    )
    extra = folder_of(tmp_path / "x", **{"extra.csv": "lead_id,created_at\nX1,2026-09-02\n"})
    import_export(db, extra / "extra.csv", mapping=other)
    lines = (mapping / "kontakte.csv").read_text("cp1252").splitlines(keepends=True)
    without = folder_of(tmp_path / "k")
    (without / "kontakte.csv").write_text(
        "".join(line for line in lines if not line.startswith("K4;")), "cp1252"
    )
    result = import_export(
        db, without / "kontakte.csv", mapping=mapping / "kontakte.toml", replace=True
    )
    assert sorted(read_core_table(db, "leads")["lead_id"].to_list()) == [
        "C1", "K1", "K2", "K3", "X1",
    ]  # fmt: skip
    assert result.changes["leads"]["removed"] == 1
    assert result.kept_for_other_formats == {"leads": 2}


@pytest.mark.parametrize("last_format", ["hubspot", "canonical"])
def test_purging_a_replace_replays_which_format_a_later_replace_spoke_for(tmp_path, last_format):
    """Load 3 (a canonical --replace of the events without the SAL) removed it; purging
    load 3 after a HubSpot --replace (load 4) gave nothing back, the HubSpot load having
    replaced the events; a canonical one would have removed the SAL too."""
    db = tmp_path / "w.duckdb"
    import_export(db, HUBSPOT, fmt="hubspot")
    import_canonical(db, folder_of(tmp_path / "sal", **{"lifecycle_events.csv": SAL}))
    other = "lead_id,stage,entered_at\n101,mql,2026-09-03T10:00:00Z\n"
    import_canonical(db, folder_of(tmp_path / "c", **{"lifecycle_events.csv": other}), replace=True)
    assert ("sal", "manual") not in _stages(db, "101")
    if last_format == "hubspot":
        import_export(db, HUBSPOT, fmt="hubspot", replace=True)
    else:
        import_canonical(db, tmp_path / "c", replace=True)
    purge(db, load=3)
    assert (("sal", "manual") in _stages(db, "101")) == (last_format == "hubspot")


def test_a_salesforce_replace_keeps_a_hubspot_lead_it_never_loaded(tmp_path):
    """Two CRMs in one warehouse: a Salesforce --replace is no snapshot of HubSpot's leads."""
    db = tmp_path / "w.duckdb"
    import_export(db, HUBSPOT, fmt="hubspot")
    before = sorted(read_core_table(db, "leads")["lead_id"].to_list())
    part = tmp_path / "sf"
    part.mkdir()
    shutil.copy(EXPORTS / "salesforce" / "Lead.csv", part / "Lead.csv")
    import_export(db, part, fmt="salesforce")
    result = import_export(db, part, fmt="salesforce", replace=True)
    leads = read_core_table(db, "leads")["lead_id"].to_list()
    assert sorted(lead for lead in leads if not lead.startswith("00Q")) == before
    assert result.kept_for_other_formats["leads"] == len(before)
