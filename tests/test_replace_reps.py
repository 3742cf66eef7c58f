"""``--replace`` with an adapter's export and the reps (audit 2026-12-06 messy exports,
finding 15): the reps an export names by owner (HubSpot's owners, Salesforce's OwnerId,
Olist's SDR and SR) are no list of the reps. A replace adds and updates them but removes
none, and a column the export does not have (a canonical reps.csv's name, team, capacity)
stays as stored. Salesforce's User.csv, the list of every user, is the reps' snapshot.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from export_support import folder_of

from analytics.warehouse import import_canonical, read_core_table
from analytics.warehouse.adapters import import_export

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
COLUMNS = ["rep_id", "name", "team", "weekly_capacity", "active"]


def _reps(db: Path) -> list[tuple]:
    return read_core_table(db, "reps").select(COLUMNS).sort("rep_id").rows()


def _canonical_reps(db: Path, folder: Path, text: str) -> None:
    """Set names, teams and capacities up with a canonical reps.csv (an upsert)."""
    folder.mkdir()
    (folder / "reps.csv").write_text(text, "utf-8")
    import_canonical(db, folder)


def _replaced(db: Path, table: str) -> list[bool]:
    """What the load log says of the last load's files of ``table``: replaced or not."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            r[0]
            for r in con.execute(
                "SELECT replaced FROM meta.loads WHERE table_name = ? AND load_id = "
                "(SELECT max(load_id) FROM meta.loads) ORDER BY source_file",
                [table],
            ).fetchall()
        ]
    finally:
        con.close()


def test_a_hubspot_contacts_export_alone_keeps_every_rep(tmp_path):
    """contacts.csv alone took the fixture's 6 reps to the 3 contact owners, and with them
    a rep a canonical reps.csv set up: the pages showed "Rep 1" and rep KPIs lost names."""
    db = tmp_path / "w.duckdb"
    import_export(db, EXPORTS / "hubspot", fmt="hubspot")
    _canonical_reps(
        db,
        tmp_path / "canonical",
        "rep_id,name,team,weekly_capacity\n"
        "Jana Vogel,Jana V.,marketing,40\nMax Keller,Max K.,ae,12\nUlla Rot,Ulla Rot,sdr,25\n",
    )
    before = [
        ("Deactivated User (4711)", "Deactivated User (4711)", "sdr", None, None),
        ("Jana Vogel", "Jana V.", "marketing", 40, None),
        ("Lea Sommer", "Lea Sommer", "ae", None, None),
        ("Max Keller", "Max K.", "ae", 12, None),
        ("Sara Neu", "Sara Neu", "sdr", None, None),
        ("Tom Berg", "Tom Berg", "sdr", None, None),
        ("Ulla Rot", "Ulla Rot", "sdr", 25, None),
    ]
    assert _reps(db) == before
    part = folder_of(tmp_path / "contacts", EXPORTS / "hubspot", "contacts.csv")
    done = import_export(db, part, fmt="hubspot", replace=True)
    # Jana Vogel owns contacts: her name, team and capacity stay as reps.csv set them
    assert _reps(db) == before
    assert done.changes["reps"] == {"added": 0, "changed": 0, "unchanged": 3, "removed": 0}
    assert _replaced(db, "reps") == [False]
    assert _replaced(db, "leads") == [True]  # the contacts are a snapshot still


def test_a_hubspot_replace_adds_a_new_owner(tmp_path):
    """The reps are not replaced, but a new owner is still added (with its guessed team)."""
    db = tmp_path / "w.duckdb"
    import_export(db, EXPORTS / "hubspot", fmt="hubspot")
    part = folder_of(
        tmp_path / "part",
        EXPORTS / "hubspot",
        **{
            "contacts.csv": "Record ID,Create Date,Contact owner,Original Source\n"
            "101,2026-09-01 08:00,Nora Neu,Organic Search\n"
        },
    )
    import_export(db, part, fmt="hubspot", replace=True)
    assert [r[0] for r in _reps(db)] == [
        "Deactivated User (4711)", "Jana Vogel", "Lea Sommer", "Max Keller", "Nora Neu",
        "Sara Neu", "Tom Berg",
    ]  # fmt: skip
    assert ("Nora Neu", "Nora Neu", "sdr", None, None) in _reps(db)


_SF_REPS = (
    "rep_id,name,team,weekly_capacity\n"
    "0051000000CCCCCAA5,Max K.,ae,12\n"
    "005100000UNKNWNAQ5,Ulla Rot,marketing,25\n"
    "r-extern,Eva Extern,sdr,5\n"
)
#: the fixture's reps and those _SF_REPS set up
_SF_BEFORE = [
    ("0051000000AAAAAAA5", "Jana Vogel", "sdr", None, True),
    ("0051000000BBBBBAA5", "Tom Berg", "sdr", None, True),
    ("0051000000CCCCCAA5", "Max K.", "ae", 12, False),
    ("005100000UNKNWNAQ5", "Ulla Rot", "marketing", 25, None),
    ("r-extern", "Eva Extern", "sdr", 5, None),
]


def _salesforce(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    import_export(db, EXPORTS / "salesforce", fmt="salesforce")
    _canonical_reps(db, tmp_path / "canonical", _SF_REPS)
    assert _reps(db) == _SF_BEFORE
    return db


def test_a_salesforce_folder_without_user_csv_keeps_every_rep(tmp_path):
    """Lead.csv alone removed 0051000000CCCCCAA5 (an opportunity owner) and the rep a
    canonical reps.csv added; its owners' names, teams and capacities stay."""
    db = _salesforce(tmp_path)
    part = folder_of(tmp_path / "part", EXPORTS / "salesforce", "Lead.csv")
    done = import_export(db, part, fmt="salesforce", replace=True)
    assert _reps(db) == _SF_BEFORE
    assert done.changes["reps"]["removed"] == 0
    assert _replaced(db, "reps") == [False]


def test_a_salesforce_folder_with_user_csv_replaces_the_reps_it_does_not_list(tmp_path):
    """User.csv lists every user the org has (Salesforce deactivates users, it does not
    delete them): with it the folder is the snapshot of the reps Salesforce gave. A rep it
    lists stays though no file owns anything of it (0051000000CCCCCAA5 owns only deals); one
    that neither it nor an owner names goes (0051000000CCCCCAA5 once User.csv no longer lists
    it). An owner it does not list keeps the name, team and capacity a reps.csv gave it
    (005100000UNKNWNAQ5: before, its name was emptied). r-extern, which only the canonical
    reps.csv loaded, stays (finding 17: the snapshot speaks for Salesforce's reps)."""
    db = _salesforce(tmp_path)
    part = folder_of(tmp_path / "part", EXPORTS / "salesforce", "Lead.csv", "User.csv")
    done = import_export(db, part, fmt="salesforce", replace=True)
    assert _reps(db) == _SF_BEFORE
    assert done.changes["reps"]["removed"] == 0
    assert done.kept_for_other_formats == {"reps": 1}
    assert _replaced(db, "reps") == [True, True]
    users = _without(EXPORTS / "salesforce" / "User.csv", "0051000000CCCCCAA5")
    later = folder_of(tmp_path / "later", part, "Lead.csv", **{"User.csv": users})
    done = import_export(db, later, fmt="salesforce", replace=True)
    assert _reps(db) == [r for r in _SF_BEFORE if r[0] != "0051000000CCCCCAA5"]
    assert done.changes["reps"]["removed"] == 1


def _without(file: Path, start: str) -> str:
    """The text of ``file`` without its lines that start with ``start``."""
    lines = file.read_text("utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(start))


@pytest.mark.parametrize(
    ("users", "expected"),
    [
        # the names and activity it has are said; the team is a guess and stays
        ("Id,Name,IsActive\n0051000000AAAAAAA5,Jana Neu,false\n", ("Jana Neu", "marketing", False)),
        # a User.csv without Name or IsActive says neither
        ("Id,Username\n0051000000AAAAAAA5,jana.sfdc\n", ("Jana V.", "marketing", True)),
    ],
    ids=["Name and IsActive", "neither"],
)
def test_user_csv_sets_the_names_and_activity_it_has(tmp_path, users, expected):
    db = tmp_path / "w.duckdb"
    import_export(db, EXPORTS / "salesforce", fmt="salesforce")
    reps = "rep_id,name,team,active\n0051000000AAAAAAA5,Jana V.,marketing,true\n"
    _canonical_reps(db, tmp_path / "canonical", reps)
    part = folder_of(tmp_path / "part", EXPORTS / "salesforce", "Lead.csv", **{"User.csv": users})
    import_export(db, part, fmt="salesforce", replace=True)
    reps = read_core_table(db, "reps").filter(pl.col("rep_id") == "0051000000AAAAAAA5")
    assert reps.select("name", "team", "active").row(0) == expected


def test_a_user_csv_without_id_is_refused_naming_it(tmp_path):
    from analytics.warehouse.loader import ImportFailed

    part = folder_of(
        tmp_path / "part",
        EXPORTS / "salesforce",
        "Lead.csv",
        **{"User.csv": "Username,Name,IsActive\njana.sfdc,Jana Vogel,true\n"},
    )
    with pytest.raises(ImportFailed, match=r"User.csv.*\bid\b"):
        import_export(tmp_path / "w.duckdb", part, fmt="salesforce")


_DEALS = (
    "mql_id,seller_id,sdr_id,sr_id,won_date,business_segment\n"
    "m01,s01,sdrA,srX,20-02-2018 10:15,pet\n"
)


def test_an_olist_deals_file_keeps_every_rep_and_what_reps_csv_set(tmp_path):
    """The closed-deals file without sdrB's and srY's deals removed them; and it
    overwrote the name and team a canonical reps.csv gave sdrA with the id and a guess."""
    db = tmp_path / "w.duckdb"
    import_export(db, EXPORTS / "olist", fmt="olist")
    reps = "rep_id,name,team,weekly_capacity\nsdrA,Ana Souza,marketing,30\n"
    _canonical_reps(db, tmp_path / "canonical", reps)
    before = [
        ("sdrA", "Ana Souza", "marketing", 30, None),
        ("sdrB", "sdrB", "sdr", None, None),
        ("srX", "srX", "ae", None, None),
        ("srY", "srY", "ae", None, None),
    ]
    assert _reps(db) == before
    part = folder_of(tmp_path / "part", EXPORTS / "olist", **{"olist_closed_deals.csv": _DEALS})
    done = import_export(db, part, fmt="olist", replace=True)
    assert _reps(db) == before
    assert done.changes["reps"]["removed"] == 0


def test_a_leads_mapping_replace_leaves_the_reps_and_a_reps_mapping_replaces_them(tmp_path):
    """A mapping of leads names owners as placeholders only (no reps batch: a replace
    leaves the reps alone); a mapping of reps is the user's own list of them, a snapshot
    of the reps it (or nothing) loaded: the placeholder r2 is named, r3, which only the
    canonical reps.csv loaded, stays (finding 17: a snapshot speaks only for what its own
    format loaded)."""
    mapping = EXPORTS / "mapping"
    db = tmp_path / "w.duckdb"
    _canonical_reps(
        db, tmp_path / "canonical", "rep_id,name,team\nr1,Jana Vogel,sdr\nr3,Sara Neu,marketing\n"
    )
    import_export(db, mapping / "kontakte.csv", mapping=mapping / "kontakte.toml", replace=True)
    # r2 and r9 are the file's owners that no reps file had: placeholders
    assert _reps(db) == [
        ("r1", "Jana Vogel", "sdr", None, None),
        ("r2", None, None, None, None),
        ("r3", "Sara Neu", "marketing", None, None),
    ]
    toml = tmp_path / "reps.toml"
    toml.write_text('table = "reps"\n[columns]\nrep_id = "rep_id"\nname = "name"\nteam = "team"\n')
    done = import_export(db, mapping / "reps.csv", mapping=toml, replace=True)
    assert _reps(db) == [
        ("r1", "Jana Vogel", "sdr", None, None),
        ("r2", "Tom Berg", "ae", None, None),
        ("r3", "Sara Neu", "marketing", None, None),
    ]
    assert done.kept_for_other_formats == {"reps": 1}
    # r1, which the mapping loaded too, goes with the mapping's next snapshot
    (mapping_only := tmp_path / "r.csv").write_text("rep_id,name,team\nr2,Tom Berg,ae\n")
    import_export(db, mapping_only, mapping=toml, replace=True)
    assert [r[0] for r in _reps(db)] == ["r2", "r3"]


def test_purging_a_reps_replace_before_a_crm_replace_brings_its_rep_back(tmp_path):
    """Load 2 (a canonical reps.csv, --replace) removed Ulla Rot; load 3 (a HubSpot
    --replace) removed no rep. Purging load 2 left Ulla Rot out: the load log said load 3
    had replaced the reps, so she would have gone anyway."""
    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    _canonical_reps(db, tmp_path / "a", "rep_id,name,team\nJana Vogel,Jana V.,sdr\nUlla Rot,U,ae\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "reps.csv").write_text("rep_id,name,team\nJana Vogel,Jana V.,sdr\n")
    import_canonical(db, tmp_path / "b", replace=True)
    part = folder_of(tmp_path / "contacts", EXPORTS / "hubspot", "contacts.csv")
    import_export(db, part, fmt="hubspot", replace=True)
    assert [r[0] for r in _reps(db)] == ["Deactivated User (4711)", "Jana Vogel", "Tom Berg"]
    purge(db, load=2)
    assert _reps(db) == [
        ("Deactivated User (4711)", "Deactivated User (4711)", "sdr", None, None),
        ("Jana Vogel", "Jana V.", "sdr", None, None),
        ("Tom Berg", "Tom Berg", "sdr", None, None),
        ("Ulla Rot", "U", "ae", None, None),
    ]
