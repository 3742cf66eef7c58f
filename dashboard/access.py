"""Who may see and do what in the app: the one place that decides. Pages ask it
(:func:`current`), they never look at roles, accounts or the environment themselves.

- **No login configured** (no ``[auth]`` in ``.streamlit/secrets.toml``): the app is one
  person's tool on 127.0.0.1; that person sees and does everything.
- **Login configured** (OpenID Connect through ``st.login``): an anonymous visitor sees
  only the login page; a logged-in account is an *admin* when ``[access] admins`` of the
  SLA config lists its e-mail address or subject, else a *viewer* (when ``[access]
  viewers`` is empty or lists it), else it has no access. Viewers see every page and
  change nothing; only admins import.
- ``SLA_READONLY=1`` in the environment hides every write path, for everyone.

The account's e-mail address and name are read from the login cookie for this session
only: they are shown in the sidebar, never written to the warehouse or a log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import streamlit as st

from analytics.config import Access

Role = Literal["admin", "viewer", "anonymous", "denied"]
#: The environment variable that makes the app read-only (``1``, ``true``, ``yes``, ``on``).
READONLY_ENV = "SLA_READONLY"
_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class Viewer:
    """The person in front of the app: their role and what it allows.

    >>> Viewer("viewer", login=True).may_see, Viewer("viewer", login=True).may_write
    (True, False)
    >>> Viewer("admin", login=False, readonly=True).may_write
    False
    """

    role: Role
    login: bool
    readonly: bool = False
    #: The account's name or e-mail address, for the sidebar only (never stored).
    name: str = ""
    #: The account's subject (``sub``): what an admin lists in ``[access]`` when the
    #: provider does not verify e-mail addresses (shown on the "No access" page only).
    subject: str = field(default="", repr=False)

    @property
    def may_see(self) -> bool:
        """May see the SLA pages (admins and viewers)."""
        return self.role in ("admin", "viewer")

    @property
    def may_write(self) -> bool:
        """May change what every viewer sees: import files (admins, unless read-only)."""
        return self.role == "admin" and not self.readonly


def account_ids(claims: Mapping[str, Any]) -> set[str]:
    """The identities of a logged-in account that ``[access]`` may list: the subject
    (``sub``) as it is and the e-mail address in lower case when the provider says it is
    verified (``email_verified``). Without that claim an address is whatever the account
    typed into its profile (Microsoft Entra ID sends none): list such accounts by subject.

    >>> sorted(account_ids({"sub": "8f2c", "email": "Erika@Example.org", "email_verified": True}))
    ['8f2c', 'erika@example.org']
    >>> account_ids({"sub": "8f2c", "email": "x@example.org"})
    {'8f2c'}
    >>> account_ids({"sub": "8f2c", "email": "x@example.org", "email_verified": False})
    {'8f2c'}
    """
    ids = set()
    if claims.get("sub"):
        ids.add(str(claims["sub"]))
    email = claims.get("email")
    verified = claims.get("email_verified")
    if email and (verified is True or str(verified).lower() == "true"):  # Cognito: "true"
        ids.add(str(email).lower())
    return ids


def role_of(claims: Mapping[str, Any], access: Access) -> Role:
    """The role of a logged-in account under the SLA config's ``[access]``.

    Parameters
    ----------
    claims : Mapping
        The identity token's claims (``st.user``): ``sub``, ``email``, ...
    access : Access
        The config's ``[access]``: ``admins`` and ``viewers``.

    Returns
    -------
    {"admin", "viewer", "denied"}

    >>> rules = Access(admins=["erika@example.org"])
    >>> erika = {"email": "Erika@Example.org", "email_verified": True}
    >>> role_of(erika, rules), role_of({"sub": "x"}, rules)
    ('admin', 'viewer')
    >>> role_of({"sub": "x"}, Access(viewers=["y"]))
    'denied'
    """
    ids = account_ids(claims)
    if ids & set(access.admins):
        return "admin"
    if not access.viewers or ids & set(access.viewers):
        return "viewer"
    return "denied"


def decide(
    *, login: bool, claims: Mapping[str, Any] | None, access: Access, readonly: bool = False
) -> Viewer:
    """Who is in front of the app, from the facts :func:`current` reads.

    Parameters
    ----------
    login : bool
        A login is configured (``[auth]`` in ``.streamlit/secrets.toml``).
    claims : Mapping, optional
        ``st.user``: ``is_logged_in`` and the identity token's claims.
    access : Access
        The SLA config's ``[access]``.
    readonly : bool, default False
        ``SLA_READONLY`` is set: nobody writes.

    >>> rules = Access(admins=["erika@example.org"])
    >>> decide(login=False, claims=None, access=rules).role
    'admin'
    >>> decide(login=True, claims={"is_logged_in": False}, access=rules).role
    'anonymous'
    >>> who = {"is_logged_in": True, "email": "erika@example.org", "email_verified": True,
    ...        "name": "Erika"}
    >>> decide(login=True, claims=who, access=rules, readonly=True)
    Viewer(role='admin', login=True, readonly=True, name='Erika')
    """
    if not login:
        return Viewer("admin", login=False, readonly=readonly)
    if not claims or not claims.get("is_logged_in"):
        return Viewer("anonymous", login=True, readonly=readonly)
    name = str(claims.get("name") or claims.get("email") or claims.get("sub") or "")
    return Viewer(
        role_of(claims, access),
        login=True,
        readonly=readonly,
        name=name,
        subject=str(claims.get("sub") or ""),
    )


def readonly(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``SLA_READONLY`` asks for a read-only app.

    >>> readonly({"SLA_READONLY": "1"}), readonly({"SLA_READONLY": "0"}), readonly({})
    (True, False, False)
    """
    value = (os.environ if environ is None else environ).get(READONLY_ENV, "")
    return value.strip().lower() in _TRUE


def login_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` configures a login (its ``[auth]`` section)."""
    return bool(st.secrets.load_if_toml_exists() and st.secrets.get("auth"))


def provider() -> str | None:
    """The identity provider ``st.login`` uses: ``None`` for the default one (``client_id``
    directly under ``[auth]``), else the first named one (``[auth.keycloak]``)."""
    auth = st.secrets.get("auth") or {}
    if "client_id" in auth:
        return None
    return next((name for name, value in auth.items() if isinstance(value, Mapping)), None)


def current() -> Viewer:
    """The person in front of the app in this session (see the module's rules)."""
    from dashboard import data

    login = login_configured()
    claims = st.user.to_dict() if login else None
    return decide(login=login, claims=claims, access=data.config().access, readonly=readonly())


def sidebar_account(viewer: Viewer, lang: Any) -> None:
    """Under the language switch, with a login configured: who is logged in, as what,
    and the logout button."""
    from dashboard import ui
    from dashboard.i18n import t

    if not viewer.login or viewer.role == "anonymous":
        return
    role = t(f"role_{viewer.role}", lang) if viewer.may_see else "–"
    st.sidebar.caption(t("signed_in", lang, name=ui.md(viewer.name), role=role))
    st.sidebar.button(t("logout_button", lang), on_click=st.logout, key="logout")


def log_in() -> None:
    """Start the login with the configured provider (the login page's button)."""
    name = provider()
    if name is None:
        st.login()
    else:
        st.login(name)


__all__ = [
    "READONLY_ENV",
    "Role",
    "Viewer",
    "account_ids",
    "current",
    "decide",
    "log_in",
    "login_configured",
    "provider",
    "readonly",
    "role_of",
    "sidebar_account",
]
