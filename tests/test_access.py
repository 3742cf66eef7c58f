"""Access rules of the shared app: the ``[access]`` section of the SLA config, the roles
``dashboard/access.py`` derives from a login, and ``SLA_READONLY``.

The pages under these rules are tested in ``tests/test_app_safety.py`` (AppTest) and
``tests/test_browser.py`` (chromium against a local OpenID Connect provider).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.config import Access, ConfigError, parse_config
from dashboard.access import Viewer, decide, readonly, role_of

ROOT = Path(__file__).resolve().parent.parent
SLA = (ROOT / "data" / "sla.toml").read_text(encoding="utf-8")
ADMIN = "erika.admin@example.org"


def with_access(section: str) -> str:
    return f"{SLA}\n[access]\n{section}\n"


# -- the config ----------------------------------------------------------------------------


def test_the_config_reads_admins_and_viewers() -> None:
    cfg = parse_config(with_access(f'admins = ["{ADMIN.upper()}", "sub-1"]\nviewers = ["v@x.de"]'))
    assert cfg.access == Access(admins=[ADMIN, "sub-1"], viewers=["v@x.de"])
    assert parse_config(SLA).access == Access()  # no section: nobody listed


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ('admins = ["a b"]', "access.admins: ['a b'] are no accounts; allowed: e-mail"),
        ('viewers = [""]', "access.viewers: [''] are no accounts"),
        ('admins = "erika@example.org"', "access.admins = 'erika@example.org': Input should"),
        ('admin = ["x"]', "access.admin: unknown key"),
        ("admins = [1]", "access.admins[0] = 1: Input should be a valid string"),
    ],
)
def test_a_bad_access_section_names_the_key(section: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(with_access(section))
    assert problem in str(caught.value)


def test_the_access_list_and_the_recipients_are_not_part_of_the_agreement() -> None:
    from analytics.sla_history import diff_configs

    before = parse_config(SLA)
    rep = '[[notify.recipients]]\nrep_id = "rep-03"\nwebhook = "teams"\nurl_env = "SLA_X"\n'
    after = parse_config(with_access(f'admins = ["{ADMIN}"]\n{rep}'))
    assert diff_configs(before, after) == []
    assert diff_configs(before, parse_config(SLA.replace("version = ", "version = 'x' #")))


def test_the_warehouse_never_stores_the_access_list_or_the_recipients(tmp_path: Path) -> None:
    import duckdb

    from analytics.warehouse import connect_readonly
    from analytics.warehouse.config_history import record_config_version, stored_configs
    from analytics.warehouse.database import create_schema

    people = f'admins = ["{ADMIN}"]\nviewers = ["viewer-subject-42"]\n'
    notify = '[notify.email]\nhost = "smtp.example.org"\nsender = "sla@example.org"\n'
    rep = '[[notify.recipients]]\nrep_id = "rep-03"\nemail = "anna.rep@example.org"\n'
    cfg = parse_config(with_access(people + notify + rep))
    assert cfg.notify.recipients[0].email == "anna.rep@example.org"
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    create_schema(con)
    assert record_config_version(con, cfg)
    con.close()
    con = connect_readonly(db)
    [stored] = stored_configs(con)
    content = con.execute("SELECT content FROM meta.config_versions").fetchall()[0][0]
    con.close()
    assert stored.access == Access()
    assert cfg.sla.name in content  # the agreement is stored ...
    for person in (ADMIN, "viewer-subject-42", "anna.rep@example.org"):  # ... the people not
        assert person not in content
        assert person.encode() not in db.read_bytes()


# -- roles ---------------------------------------------------------------------------------

RULES = Access(admins=[ADMIN, "admin-subject"], viewers=["v@example.org", "viewer-subject"])
OPEN = Access(admins=[ADMIN])  # no viewers list: everyone who can log in views


@pytest.mark.parametrize(
    ("claims", "rules", "role"),
    [
        ({"email": ADMIN, "email_verified": True}, RULES, "admin"),
        ({"email": "Erika.Admin@Example.ORG", "email_verified": True}, RULES, "admin"),  # no case
        ({"email": ADMIN, "email_verified": "true"}, RULES, "admin"),  # Amazon Cognito's string
        ({"sub": "admin-subject"}, RULES, "admin"),
        ({"sub": "ADMIN-SUBJECT"}, RULES, "denied"),  # subjects exactly
        ({"email": "v@example.org", "email_verified": True}, RULES, "viewer"),
        ({"sub": "viewer-subject", "email": ADMIN, "email_verified": False}, RULES, "viewer"),
        ({"email": "someone@example.org", "email_verified": True}, RULES, "denied"),
        ({"email": "someone@example.org"}, OPEN, "viewer"),
        ({"email": ADMIN, "email_verified": False}, OPEN, "viewer"),  # unverified: not admin
        # no claim that it is verified (Entra ID): an address anyone could have typed
        ({"sub": "attacker", "email": ADMIN}, OPEN, "viewer"),
        ({"sub": "attacker", "email": ADMIN}, RULES, "denied"),
        ({}, OPEN, "viewer"),
    ],
)
def test_role_of_an_account(claims, rules, role) -> None:
    assert role_of(claims, rules) == role


@pytest.mark.parametrize(
    ("login", "claims", "env", "expected"),
    [
        # no login configured: one person on 127.0.0.1 does everything ...
        (False, None, {}, Viewer("admin", login=False)),
        # ... unless the app is read-only
        (False, None, {"SLA_READONLY": "1"}, Viewer("admin", login=False, readonly=True)),
        (True, {"is_logged_in": False}, {}, Viewer("anonymous", login=True)),
        (True, {}, {}, Viewer("anonymous", login=True)),
        (
            True,
            {"is_logged_in": True, "email": ADMIN, "email_verified": True, "name": "Erika"},
            {},
            Viewer("admin", login=True, name="Erika"),
        ),
        (
            True,
            {"is_logged_in": True, "email": ADMIN, "email_verified": True},
            {"SLA_READONLY": "true"},
            Viewer("admin", login=True, readonly=True, name=ADMIN),
        ),
        (
            True,
            {"is_logged_in": True, "email": "max@example.org", "email_verified": True},
            {},
            Viewer("denied", login=True, name="max@example.org"),
        ),
    ],
)
def test_decide_who_is_in_front_of_the_app(login, claims, env, expected) -> None:
    got = decide(login=login, claims=claims, access=RULES, readonly=readonly(env))
    assert got == expected


@pytest.mark.parametrize(
    ("role", "ro", "see", "write"),
    [
        ("admin", False, True, True),
        ("admin", True, True, False),
        ("viewer", False, True, False),
        ("anonymous", False, False, False),
        ("denied", False, False, False),
    ],
)
def test_what_a_role_may(role, ro, see, write) -> None:
    viewer = Viewer(role, login=True, readonly=ro)
    assert (viewer.may_see, viewer.may_write) == (see, write)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), (" on ", True), ("0", False), ("", False)],
)
def test_sla_readonly_values(value, expected) -> None:
    assert readonly({"SLA_READONLY": value}) is expected


@pytest.mark.parametrize(
    "viewer",
    [Viewer("viewer", login=True), Viewer("admin", login=False, readonly=True)],
)
def test_the_upload_preview_and_its_confirm_refuse_a_session_that_may_not_write(
    viewer, monkeypatch, tmp_path
) -> None:
    from dashboard import access, data

    monkeypatch.setattr(access, "current", lambda: viewer)
    monkeypatch.setenv("SLA_DB", str(tmp_path / "w.duckdb"))
    with pytest.raises(PermissionError, match="importing is for admins"):
        data.preview_import(tmp_path)
    with pytest.raises(PermissionError, match="importing is for admins"):
        data.confirm_import(object())
    assert sorted(p.name for p in tmp_path.iterdir()) == []
