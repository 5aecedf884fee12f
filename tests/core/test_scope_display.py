"""core.scope: the display scope of a director's display link — reads its branch or team, writes nothing."""
from __future__ import annotations

import pytest

from core.errors import ScopeError
from core.scope import PAGE_ROLES, ROLES, Scope, display_scope

BRANCH = display_scope(7, None)
TEAM = display_scope(8, "对公一队")


def test_it_is_not_an_account_role():
    assert "display" not in ROLES
    assert BRANCH.username == "display:7" and BRANCH.is_display and not BRANCH.is_director


@pytest.mark.parametrize("scope, team, employee_id, team_ok, manager_ok, row_filter", [
    (BRANCH, "对公二队", "CM101", True, True, (None, None)),
    (TEAM, "对公一队", "CM002", True, True, ("对公一队", None)),
    (TEAM, "对公二队", "CM101", False, False, ("对公一队", None)),
])
def test_reads(scope, team, employee_id, team_ok, manager_ok, row_filter):
    assert scope.can_see_team(team) is team_ok
    assert scope.can_see_manager(employee_id, team) is manager_ok
    assert scope.row_filter() == row_filter


def test_sees_branch_only_for_a_branch_link():
    assert BRANCH.sees_branch and not TEAM.sees_branch
    assert not BRANCH.sees_only_self and not TEAM.sees_only_self
    assert TEAM.home_team("对公二队") == "对公一队" and BRANCH.home_team("对公二队") == "对公二队"


@pytest.mark.parametrize("scope", [BRANCH, TEAM])
def test_writes_nothing(scope):
    assert not scope.may_write
    assert not (scope.may_import or scope.may_configure or scope.may_coach or scope.may_set_targets
                or scope.sees_payout_summary)
    assert not scope.may_write_for("CM002", "对公一队")
    assert not scope.may_move(None, "对公一队")
    with pytest.raises(ScopeError):
        scope.check_write("CM002", "对公一队")
    with pytest.raises(ScopeError):
        scope.check_team("对公一队")
    with pytest.raises(ScopeError):
        scope.require_director()
    with pytest.raises(ScopeError):
        scope.require("director", "team_lead", "manager")


@pytest.mark.parametrize("scope", [BRANCH, TEAM])
def test_opens_none_of_the_pages(scope):
    assert [p for p in PAGE_ROLES if scope.may_open(p)] == []
    assert scope.landing_page == "display"


@pytest.mark.parametrize("role", ROLES)
def test_every_account_may_write_something(role):
    s = Scope(role, team="对公一队" if role == "team_lead" else None,
              employee_id="CM002" if role == "manager" else None)
    assert s.may_write


def test_a_team_display_scope_without_a_team_is_the_branch():
    assert display_scope(3, "").team is None
