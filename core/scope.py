"""Who is asking, and what that person may read and write: the only place roles are compared.

A Scope is built by ``core.auth`` at sign-in (or by the CLI, which acts as a system director). The store
filters every read by it (``core.store`` turns :meth:`Scope.row_filter` into SQL) and checks every write with
:meth:`Scope.check_write`; pages and services ask it questions (``may_import``, ``sees_branch``...) instead
of comparing role strings.

Rules
-----
* **director** — reads and writes everything; the only one who configures (plans, rules, accounts, calendar,
  periods) and reads the audit trail.
* **team lead** — reads his own team and his own roster entry (when he has one); writes for his team only
  (daily logs, targets, roster rows, coaching); may not move a manager into or out of his team.
* **manager** — reads his own rows only and writes none.
* **display** — the projector kiosk behind a director's display link (core/display.py): not an account role.
  Reads its branch (no team) or its one team, exactly as a director or that team's lead would read, and writes
  nothing at all; it opens none of the app's pages (app.py shows it the kiosk alone, views/display.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.errors import ScopeError

ROLES = ("director", "team_lead", "manager")
DIRECTOR, TEAM_LEAD, MANAGER = ROLES
DISPLAY = "display"                 # a display link's read-only kiosk scope; never an account's role
_SCOPE_ROLES = (*ROLES, DISPLAY)
# Which pages (by key) each role opens, and where each lands after sign-in.
PAGE_ROLES = {
    "morning": ROLES, "weekly": ROLES, "monthly": ROLES, "commission": ROLES, "coaching": ROLES,
    "upload": (DIRECTOR, TEAM_LEAD), "settings": (DIRECTOR,), "profile": ROLES,
}
LANDING_PAGE = {DIRECTOR: "morning", TEAM_LEAD: "morning", MANAGER: "commission", DISPLAY: "display"}


@dataclass(frozen=True)
class Scope:
    role: str                       # "director" | "team_lead" | "manager" | "display"
    username: str = "system"
    team: str | None = None         # team name, for a team lead
    employee_id: str | None = None  # own roster entry (a manager; optionally a team lead)

    def __post_init__(self):
        if self.role not in _SCOPE_ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == TEAM_LEAD and not self.team:
            raise ValueError("a team lead scope needs a team")
        if self.role == MANAGER and not self.employee_id:
            raise ValueError("a manager scope needs an employee_id")

    # ------------------------------------------------------------------ who is this
    @property
    def is_director(self) -> bool:
        return self.role == DIRECTOR

    @property
    def is_team_lead(self) -> bool:
        return self.role == TEAM_LEAD

    @property
    def is_manager(self) -> bool:
        return self.role == MANAGER

    @property
    def is_display(self) -> bool:
        """The read-only kiosk of a display link."""
        return self.role == DISPLAY

    @property
    def sees_branch(self) -> bool:
        """Sees every team's individuals (the branch as a whole)."""
        return self.role == DIRECTOR or (self.role == DISPLAY and not self.team)

    @property
    def may_write(self) -> bool:
        """May write anything at all (a display link's kiosk may not)."""
        return self.role != DISPLAY

    @property
    def sees_only_self(self) -> bool:
        """Sees his own rows and nobody else's (a manager): pages show him ranks and medians, never names."""
        return self.role == MANAGER

    @property
    def may_import(self) -> bool:
        """May upload daily logs, targets or roster rows (for what he may write)."""
        return self.role in (DIRECTOR, TEAM_LEAD)

    @property
    def may_configure(self) -> bool:
        """May change plans, coaching rules, accounts, the calendar, periods; may read the audit trail."""
        return self.role == DIRECTOR

    @property
    def may_coach(self) -> bool:
        """May acknowledge flags and record coaching sessions (for managers he may write for)."""
        return self.role in (DIRECTOR, TEAM_LEAD)

    @property
    def may_set_targets(self) -> bool:
        return self.role in (DIRECTOR, TEAM_LEAD)

    @property
    def sees_payout_summary(self) -> bool:
        """Sees statements of other managers (the team's or branch's payout summary and pay bands)."""
        return self.role in (DIRECTOR, TEAM_LEAD)

    def may_open(self, page: str) -> bool:
        return self.role in PAGE_ROLES.get(page, ())

    @property
    def landing_page(self) -> str:
        return LANDING_PAGE[self.role]

    # ------------------------------------------------------------------ reading
    def can_see_team(self, team: str | None) -> bool:
        if self.role == DIRECTOR or (self.role == DISPLAY and not self.team):
            return True
        if self.role in (TEAM_LEAD, DISPLAY):
            return team == self.team
        return False

    def can_see_manager(self, employee_id: str, team: str | None) -> bool:
        if self.role == DIRECTOR or (self.role == DISPLAY and not self.team):
            return True
        if self.role == DISPLAY:
            return team == self.team
        if self.role == TEAM_LEAD:
            return team == self.team or employee_id == self.employee_id
        return employee_id == self.employee_id

    def visible_teams(self, teams: Iterable[str]) -> list[str]:
        """The teams among `teams` whose figures this person may see as a team."""
        return [tm for tm in teams if self.can_see_team(tm)]

    def row_filter(self) -> tuple[str | None, str | None]:
        """How the store filters rows for this scope: (team, employee_id) — rows whose team equals `team`
        OR whose employee_id equals `employee_id`; (None, None) means everything (a director)."""
        if self.role == DIRECTOR or (self.role == DISPLAY and not self.team):
            return None, None
        if self.role == TEAM_LEAD:
            return self.team, self.employee_id
        if self.role == DISPLAY:
            return self.team, None
        return None, self.employee_id

    def home_team(self, requested: str | None = None) -> str | None:
        """The team a page should show when `requested` is asked for: a team lead always his own."""
        if self.role == TEAM_LEAD or (self.role == DISPLAY and self.team):
            return self.team
        return requested

    # ------------------------------------------------------------------ writing
    def may_write_for(self, employee_id: str, team: str | None) -> bool:
        """May write data (logs, targets, acknowledgements, coaching) for this manager of this team."""
        if self.role == DIRECTOR:
            return True
        if self.role == TEAM_LEAD:
            return team == self.team
        return False

    def check_write(self, employee_id: str, team: str | None) -> None:
        if not self.may_write_for(employee_id, team):
            raise ScopeError("scope.manager_outside", employee_id=employee_id)

    def check_team(self, team: str | None) -> None:
        """May write for this team as a whole (targets split, team mappings)."""
        if self.role == DIRECTOR:
            return
        if self.role == TEAM_LEAD and team == self.team:
            return
        raise ScopeError("scope.team_outside", team=team or "—")

    def may_move(self, old_team: str | None, new_team: str | None) -> bool:
        """May change a roster entry from `old_team` to `new_team` (a lead keeps people inside his team)."""
        if self.role == DIRECTOR:
            return True
        if self.role == TEAM_LEAD:
            return old_team in (None, self.team) and new_team == self.team
        return False

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise ScopeError("scope.needs_role", roles=", ".join(roles))

    def require_director(self) -> None:
        if self.role != DIRECTOR:
            raise ScopeError("scope.needs_role", roles=DIRECTOR)


def display_scope(link_id: int, team: str | None) -> Scope:
    """The read-only Scope of display link `link_id`: the branch (team None) or one team."""
    return Scope(DISPLAY, username=f"display:{int(link_id)}", team=team or None)


def is_director_role(role: str) -> bool:
    """An account role that sees and configures the whole branch."""
    return role == DIRECTOR


def role_needs_team(role: str) -> bool:
    """An account of this role is tied to a team (a team lead's scope is his team)."""
    return role == TEAM_LEAD


def role_needs_employee(role: str) -> bool:
    """An account of this role is tied to one roster entry (a manager sees only his own rows)."""
    return role == MANAGER


def role_may_have_team(role: str) -> bool:
    return role in (TEAM_LEAD, MANAGER)


def scope_for_account(role: str, username: str, team: str | None, employee_id: str | None) -> Scope:
    """The Scope an account of `role` signs in with (a director's team is ignored)."""
    return Scope(role, username=username, team=team if role_may_have_team(role) else None, employee_id=employee_id)


SYSTEM = Scope(DIRECTOR, username="system")


def internal(username: str) -> Scope:
    """A director scope for the system's own reads (e.g. coaching history), never for a person."""
    return Scope(DIRECTOR, username=username)
