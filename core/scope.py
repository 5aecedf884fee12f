"""Who is asking: the scope every read and write in `core.store` is filtered by.

A Scope is built by `core.auth` at sign-in (or by the CLI, which acts as a system director). The store never
returns a row outside the caller's scope, whatever the filters asked for.
"""
from __future__ import annotations

from dataclasses import dataclass


class ScopeError(PermissionError):
    """Raised when a caller asks for something outside its scope (another team's or manager's data)."""


ROLES = ("director", "team_lead", "manager")


@dataclass(frozen=True)
class Scope:
    role: str                       # "director" | "team_lead" | "manager"
    username: str = "system"
    team: str | None = None         # team name, for a team lead
    employee_id: str | None = None  # own roster entry (a manager; optionally a team lead)

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "team_lead" and not self.team:
            raise ValueError("a team lead scope needs a team")
        if self.role == "manager" and not self.employee_id:
            raise ValueError("a manager scope needs an employee_id")

    @property
    def is_director(self) -> bool:
        return self.role == "director"

    def can_see_team(self, team: str | None) -> bool:
        if self.role == "director":
            return True
        if self.role == "team_lead":
            return team == self.team
        return False

    def can_see_manager(self, employee_id: str, team: str | None) -> bool:
        if self.role == "director":
            return True
        if self.role == "team_lead":
            return team == self.team or employee_id == self.employee_id
        return employee_id == self.employee_id

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise ScopeError(f"role {self.role} may not do this (needs {', '.join(roles)})")


SYSTEM = Scope("director", username="system")
