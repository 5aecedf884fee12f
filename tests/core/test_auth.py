"""core.auth: hashing, password policy, account management, sign-in with rate limit, scopes, SSO, demo mode."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import pytest
from argon2 import PasswordHasher

from core import auth
from core.errors import AppError, ScopeError
from core.scope import SYSTEM, Scope
from core.store import audit, config, logs
from core.store import accounts as acc

T0 = dt.datetime(2026, 11, 2, 9, 0, 0)
MIN = dt.timedelta(minutes=1)
SEC = dt.timedelta(seconds=1)
PW = "abc12345"


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch):
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")


def roster_frame() -> pd.DataFrame:
    rows = [
        ("CM001", "张伟", "对公一队", "corporate", "高级客户经理"),
        ("CM002", "李娜", "对公一队", "corporate", "客户经理"),
        ("CM003", "王强", "对公一队", "corporate", "客户经理助理"),
        ("RM001", "赵敏", "零售一队", "retail", "高级客户经理"),
        ("RM002", "钱坤", "零售一队", "retail", "客户经理"),
    ]
    return pd.DataFrame([{"employee_id": e, "name": n, "team": tm, "line": ln, "grade": g,
                          "start_date": dt.date(2024, 1, 1), "mentor_id": None} for e, n, tm, ln, g in rows])


@pytest.fixture
def db(engine):
    logs.apply_roster(engine, SYSTEM, roster_frame(), "roster.xlsx", "sha-roster")
    return engine


def actions(engine, action=None) -> list[tuple[str, str, str]]:
    trail = audit.read_audit(engine, SYSTEM, action=action)
    return list(zip(trail["username"], trail["action"], trail["target"]))[::-1]  # oldest first


# ---------------------------------------------------------------- hashing and policy

@pytest.mark.parametrize("password, attempt, expected", [
    ("abc12345", "abc12345", True),
    ("abc12345", "abc12346", False),
    ("abc12345", "ABC12345", False),      # case matters
    ("密码abc123", "密码abc123", True),     # non-ASCII round-trips
    ("abc12345", "", False),
])
def test_hash_and_verify(password, attempt, expected):
    h = auth.hash_password(password)
    assert h.startswith("$argon2id$")
    assert password not in h
    assert auth.verify_password(h, attempt) is expected


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "$argon2id$v=19$m=8,t=1,p=1$broken"])
def test_verify_against_missing_or_malformed_hash_is_false(stored):
    assert auth.verify_password(stored, "abc12345") is False


def test_two_hashes_of_one_password_differ():
    assert auth.hash_password(PW) != auth.hash_password(PW)


def test_production_parameters_are_argon2_recommended(monkeypatch):
    monkeypatch.delenv("DASH_ARGON2_FAST")
    ref = PasswordHasher()
    prod = auth._hasher()
    assert (prod.time_cost, prod.memory_cost, prod.parallelism) == (ref.time_cost, ref.memory_cost, ref.parallelism)
    monkeypatch.setenv("DASH_ARGON2_FAST", "1")
    fast_hash = auth.hash_password(PW)
    monkeypatch.delenv("DASH_ARGON2_FAST")
    assert auth.needs_rehash(fast_hash) is True


@pytest.mark.parametrize("password, username, error", [
    ("abc12345", None, None),
    ("passw0rd-long", "zhang", None),
    ("abc1234", None, "auth.password_too_short"),        # 7 characters
    ("abcdefgh", None, "auth.password_needs_letter_digit"),
    ("12345678", None, "auth.password_needs_letter_digit"),
    ("一二三四五六七8", None, "auth.password_needs_letter_digit"),   # CJK are not "letters" for the policy
    ("zhang123", "Zhang123", "auth.password_is_username"),
    ("a1" * 129, None, "auth.password_too_long"),
])
def test_password_policy(password, username, error):
    if error is None:
        auth.check_password_policy(password, username)
    else:
        with pytest.raises(AppError) as ei:
            auth.check_password_policy(password, username)
        assert ei.value.key == error
        assert ei.value.message("zh") != ei.value.message("en")


# ---------------------------------------------------------------- creating accounts

@pytest.mark.parametrize("kwargs, expected", [
    (dict(username="Boss", role="director", password=PW),
     dict(username="boss", role="director", team=None, employee_id=None, display_name="boss", has_password=True)),
    (dict(username="lead.a", role="team_lead", team="对公一队", employee_id="CM001", password=PW),
     dict(role="team_lead", team="对公一队", employee_id="CM001", display_name="张伟")),
    (dict(username="cm002", role="manager", employee_id="CM002", password=PW, display_name="小李"),
     dict(role="manager", team="对公一队", employee_id="CM002", display_name="小李")),
    (dict(username="sso.rm001", role="manager", employee_id="RM001", email="Zhao.Min@Bank.example"),
     dict(role="manager", team="零售一队", email="zhao.min@bank.example", has_password=False)),
])
def test_create_user_stores_account(db, kwargs, expected):
    kwargs = {"display_name": None, **kwargs}
    user = auth.create_user(db, SYSTEM, **kwargs)
    for k, v in expected.items():
        assert user[k] == v, k
    stored = acc.get_user(db, user["username"])
    assert stored == user
    assert actions(db, "user_create") == [("system", "user_create", user["username"])]


@pytest.mark.parametrize("kwargs, error", [
    (dict(username="x", role="director"), "auth.username_invalid"),                 # too short
    (dict(username="张三", role="director"), "auth.username_invalid"),
    (dict(username="has space", role="director"), "auth.username_invalid"),
    (dict(username="boss", role="admin"), "auth.role_invalid"),
    (dict(username="lead", role="team_lead"), "auth.team_required"),
    (dict(username="lead", role="team_lead", team="对公九队"), "auth.team_unknown"),
    (dict(username="mgr", role="manager"), "auth.employee_required"),
    (dict(username="mgr", role="manager", employee_id="CM999"), "auth.employee_unknown"),
    (dict(username="mgr", role="manager", employee_id="CM002", team="零售一队"), "auth.employee_team_mismatch"),
    (dict(username="boss", role="director", team="对公一队"), "auth.team_not_for_role"),
    (dict(username="boss", role="director", email="not-an-email"), "auth.email_invalid"),
    (dict(username="boss", role="director", password="short1"), "auth.password_too_short"),
    (dict(username="boss", role="director", password="lettersonly"), "auth.password_needs_letter_digit"),
    (dict(username="boss", role="director", password=PW, is_demo=True), "auth.password_demo"),
])
def test_create_user_rejects_bad_input_and_stores_nothing(db, kwargs, error):
    with pytest.raises(AppError) as ei:
        auth.create_user(db, SYSTEM, display_name=None, **kwargs)
    assert ei.value.key == error
    assert acc.list_users(db) == []
    assert actions(db, "user_create") == []


@pytest.mark.parametrize("first, second, error", [
    (dict(username="boss", role="director"), dict(username="BOSS", role="director"), "auth.username_taken"),
    (dict(username="a1", role="director", email="a@b.cn"), dict(username="a2", role="director", email="A@B.cn"),
     "auth.email_taken"),
])
def test_create_user_rejects_duplicates(db, first, second, error):
    auth.create_user(db, SYSTEM, display_name=None, password=PW, **first)
    with pytest.raises(AppError) as ei:
        auth.create_user(db, SYSTEM, display_name=None, password=PW, **second)
    assert ei.value.key == error
    assert len(acc.list_users(db)) == 1


@pytest.mark.parametrize("actor", [
    Scope("team_lead", username="lead", team="对公一队"),
    Scope("manager", username="cm002", employee_id="CM002"),
])
@pytest.mark.parametrize("operation", ["create", "disable", "reset", "list", "unlock"])
def test_only_directors_manage_accounts(db, actor, operation):
    auth.create_user(db, SYSTEM, "victim", None, "director", password=PW)
    auth.create_user(db, SYSTEM, "other", None, "director", password=PW)
    calls = {
        "create": lambda: auth.create_user(db, actor, "newboss", None, "director", password=PW),
        "disable": lambda: auth.set_active(db, actor, "victim", False),
        "reset": lambda: auth.reset_password(db, actor, "victim", "newpass99"),
        "list": lambda: auth.list_users(db, actor),
        "unlock": lambda: auth.unlock_user(db, actor, "victim"),
    }
    with pytest.raises(ScopeError):
        calls[operation]()
    assert sorted(u["username"] for u in acc.list_users(db)) == ["other", "victim"]
    assert acc.get_user(db, "victim")["active"] is True
    assert auth.authenticate(db, "victim", PW, now=T0).ok


# ---------------------------------------------------------------- disabling, resetting

def test_disable_and_enable_take_effect_at_once(db):
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    auth.create_user(db, SYSTEM, "cm002", None, "manager", password=PW, employee_id="CM002")
    assert auth.scope_for_username(db, "cm002") == Scope("manager", "cm002", "对公一队", "CM002")
    boss = auth.scope_for_username(db, "boss")
    assert auth.set_active(db, boss, "cm002", False) is True
    assert auth.set_active(db, boss, "cm002", False) is False          # already disabled: nothing recorded
    with pytest.raises(ScopeError):
        auth.scope_for_username(db, "cm002")
    assert auth.authenticate(db, "cm002", PW, now=T0).reason == "disabled"
    assert auth.authenticate(db, "cm002", "wrong999", now=T0).reason == "bad_credentials"
    assert auth.set_active(db, boss, "cm002", True) is True
    assert auth.authenticate(db, "cm002", PW, now=T0 + MIN).ok
    assert [a for _u, a, _t in actions(db) if a.startswith("user_")] == [
        "user_create", "user_create", "user_disable", "user_enable"]


@pytest.mark.parametrize("setup, actor_name, target, error", [
    (["boss", "boss2"], "boss", "boss", "auth.cannot_disable_self"),
    (["boss"], "system", "boss", "auth.last_director"),
    (["boss"], "system", "nobody", "auth.unknown_user"),
])
def test_disable_guards(db, setup, actor_name, target, error):
    for name in setup:
        auth.create_user(db, SYSTEM, name, None, "director", password=PW)
    actor = SYSTEM if actor_name == "system" else auth.scope_for_username(db, actor_name)
    with pytest.raises(AppError) as ei:
        auth.set_active(db, actor, target, False)
    assert ei.value.key == error
    assert all(u["active"] for u in acc.list_users(db))


def test_second_director_can_be_disabled(db):
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    auth.create_user(db, SYSTEM, "boss2", None, "director", password=PW)
    assert auth.set_active(db, auth.scope_for_username(db, "boss"), "boss2", False)
    with pytest.raises(AppError):   # now boss is the last one
        auth.set_active(db, SYSTEM, "boss", False)


def test_reset_password_replaces_it_and_lifts_the_lock(db):
    auth.create_user(db, SYSTEM, "cm002", None, "manager", password=PW, employee_id="CM002")
    for i in range(5):
        auth.authenticate(db, "cm002", "wrong999", now=T0 + i * MIN)
    # the 5th failure (minute 4) makes this client wait 1 minute: locked at 4:30
    assert auth.authenticate(db, "cm002", PW, now=T0 + 4 * MIN + 30 * SEC).reason == "locked"
    auth.reset_password(db, SYSTEM, "cm002", "fresh2026")
    assert auth.authenticate(db, "cm002", PW, now=T0 + 6 * MIN).reason == "bad_credentials"
    assert auth.authenticate(db, "cm002", "fresh2026", now=T0 + 7 * MIN).ok
    assert ("system", "password_reset", "cm002") in actions(db)


def test_unlock_lifts_the_lock(db):
    auth.create_user(db, SYSTEM, "cm002", None, "manager", password=PW, employee_id="CM002")
    for i in range(5):
        auth.authenticate(db, "cm002", "wrong999", now=T0 + i * MIN)
    half = T0 + 4 * MIN + 30 * SEC     # within the 1-minute wait after the 5th failure (minute 4)
    assert auth.list_users(db, SYSTEM, now=half).set_index("username").loc["cm002", "locked"]
    assert auth.authenticate(db, "cm002", PW, now=half).reason == "locked"
    auth.unlock_user(db, SYSTEM, "cm002")
    assert not auth.list_users(db, SYSTEM, now=half).set_index("username").loc["cm002", "locked"]
    assert auth.authenticate(db, "cm002", PW, now=half).ok
    assert ("system", "user_unlock", "cm002") in actions(db)


@pytest.mark.parametrize("old, new, error", [
    (PW, "newpass2026", None),
    ("wrong999", "newpass2026", "auth.password_wrong"),
    (PW, PW, "auth.password_same"),
    (PW, "short1", "auth.password_too_short"),
])
def test_change_own_password(db, old, new, error):
    auth.create_user(db, SYSTEM, "cm002", None, "manager", password=PW, employee_id="CM002")
    scope = auth.scope_for_username(db, "cm002")
    if error:
        with pytest.raises(AppError) as ei:
            auth.change_own_password(db, scope, old, new)
        assert ei.value.key == error
        assert auth.authenticate(db, "cm002", PW, now=T0).ok
    else:
        auth.change_own_password(db, scope, old, new)
        assert auth.authenticate(db, "cm002", new, now=T0).ok
        assert ("cm002", "password_change", "cm002") in actions(db)


def test_list_users_never_returns_a_hash(db):
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    users = auth.list_users(db, SYSTEM)
    assert list(users.columns) == auth.LIST_COLUMNS
    assert not any("argon2" in str(v) for v in users.to_numpy().ravel())


# ---------------------------------------------------------------- sign-in and rate limit

@pytest.mark.parametrize("failures, expected_min", [
    (0, None), (4, None), (5, 1), (6, 2), (7, 4), (8, 8), (9, 16), (10, 32), (11, 60), (30, 60),
])
def test_backoff_doubles_from_the_fifth_failure_up_to_an_hour(failures, expected_min):
    assert auth.backoff(failures) == (None if expected_min is None else expected_min * MIN)


USUAL, STRANGER, OTHER = "10.0.0.5|usual", "10.9.9.9|evil", "10.0.0.8|newphone"
KNOWN = [(-24 * 60, True, USUAL)]        # the user signed in from his usual client yesterday


@pytest.mark.parametrize("attempts, client, now_min, until_min", [
    # (minute after T0, ok, client) attempts; the client asking; when; until when it must wait (None: may try)
    ([], STRANGER, 0, None),
    ([(m, False, STRANGER) for m in range(4)], STRANGER, 4, None),                       # four: no wait yet
    ([(m, False, STRANGER) for m in range(5)], STRANGER, 4.5, 5),                        # 5th at 4 → 4 + 1
    ([(m, False, STRANGER) for m in range(5)], STRANGER, 5, None),                       # the wait ran out
    ([(m, False, STRANGER) for m in range(6)], STRANGER, 5.5, 7),                        # 6th at 5 → 5 + 2
    ([(m, False, STRANGER) for m in range(7)], STRANGER, 6.5, 10),                       # 7th at 6 → 6 + 4
    ([(m, False, STRANGER) for m in range(20)], STRANGER, 19.5, 79),                     # capped: 19 + 60
    ([(m, False, STRANGER) for m in range(5)], USUAL, 4.5, None),                        # his wait, not mine
    ([(m, False, STRANGER) for m in range(5)], OTHER, 4.5, None),                        # 5 < 10 unknown
    # ten failures from ten unknown clients: every unknown client waits 1 min from the 10th (minute 9)
    ([(m, False, f"10.1.1.{m}|x") for m in range(10)], OTHER, 9.5, 10),
    ([(m, False, f"10.1.1.{m}|x") for m in range(10)] + KNOWN, USUAL, 9.5, None),       # known: not touched
    ([(m, False, f"10.1.1.{m}|x") for m in range(10)] + [(-91 * 24 * 60, True, USUAL)], USUAL, 9.5, 10),  # 91 d
    ([(m, False, f"10.1.1.{m}|x") for m in range(11)], OTHER, 10.5, 12),                 # 11th at 10 → + 2
    # a success from the client clears its own failures before it
    ([(0, False, USUAL), (1, False, USUAL), (2, True, USUAL), (3, False, USUAL), (4, False, USUAL),
      (5, False, USUAL)], USUAL, 5.5, None),
    ([(m - 25 * 60, False, STRANGER) for m in range(5)], STRANGER, 0, None),            # older than 24 h
    # the usual client's own mistakes still back off (its owner typed the wrong password five times)
    (KNOWN + [(m, False, USUAL) for m in range(5)], USUAL, 4.5, 5),
])
def test_throttle(attempts, client, now_min, until_min):
    att = [(T0 + m * MIN, ok, c) for m, ok, c in attempts]
    got = auth.throttle(att, client, T0 + now_min * MIN)
    assert got == (None if until_min is None else T0 + until_min * MIN)


def _sha12(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@pytest.mark.parametrize("ip, agent, forwarded, proxies, expected", [
    ("10.0.0.5", "Mozilla/5.0 (iPhone)", None, 0, "10.0.0.5|" + _sha12("Mozilla/5.0 (iPhone)")),
    (None, None, None, 0, "-|" + _sha12("")),                                      # localhost / no request
    ("127.0.0.1", "UA", "6.6.6.6, 10.0.0.7", 0, "127.0.0.1|" + _sha12("UA")),      # header not trusted
    ("127.0.0.1", "UA", "6.6.6.6, 10.0.0.7", 1, "10.0.0.7|" + _sha12("UA")),       # the proxy's own entry
    ("127.0.0.1", "UA", "1.2.3.4, 10.0.0.7", 2, "1.2.3.4|" + _sha12("UA")),        # two proxies
    ("127.0.0.1", "UA", "10.0.0.7", 3, "10.0.0.7|" + _sha12("UA")),                # fewer hops than proxies
])
def test_client_id(ip, agent, forwarded, proxies, expected):
    got = auth.client_id(ip, agent, forwarded, trusted_proxies=proxies)
    assert got == expected and len(got) <= 64


def test_the_director_on_his_usual_client_gets_in_while_a_stranger_guesses(db):
    """The reported attack: one wrong try every 10 s for 2 hours on `boss` (it kept him out: 1 of 24 sign-ins
    got through). The director signs in every 5 minutes from his usual client: all 24 get through."""
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    assert auth.authenticate(db, "boss", PW, now=T0 - 24 * 60 * MIN, client=USUAL).ok     # yesterday
    got_in = checked = 0
    for step in range(2 * 60 * 6):                       # every 10 s for 2 hours
        now = T0 + step * 10 * SEC
        res = auth.authenticate(db, "boss", "guess%04d" % step, now=now, client=STRANGER)
        assert not res.ok and res.reason in ("bad_credentials", "locked")
        if step % 30 == 0:                               # every 5 minutes
            got_in += auth.authenticate(db, "boss", PW, now=now + SEC, client=USUAL).ok
    checked = len(audit.read_audit(db, SYSTEM, action="login_failed"))
    assert got_in == 24
    # the stranger's password checks: 5 free (0:00-0:40), then after waits of 1, 2, 4, 8, 16, 32 and 60 min
    # (at 1:40, 3:40, 7:40, 15:40, 31:40, 63:40; the next would be 123:40): 5 + 6 = 11
    assert checked == 11
    # a new client of the director waits with the strangers, his usual one does not: the 11th unknown failure
    # (63:40) makes every unknown client wait 2 min (11 - 10 free → 2^1 min), until 65:40
    later = T0 + 64 * MIN
    assert auth.authenticate(db, "boss", PW, now=later, client=OTHER).reason == "locked"
    assert auth.authenticate(db, "boss", PW, now=later, client=USUAL).ok


def test_the_hashing_budget_refuses_unknown_clients_without_checking(db, monkeypatch):
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    assert auth.authenticate(db, "boss", PW, now=T0 - 60 * MIN, client=USUAL).ok
    monkeypatch.setattr(auth, "HASH_BUDGET_PER_MINUTE", 3)
    calls = []
    real = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda h, p: calls.append(1) or real(h, p))
    for i in range(3):                                   # three checks within the minute use the budget
        assert auth.authenticate(db, f"user{i}", "x", now=T0 + i * SEC, client=STRANGER).reason == "bad_credentials"
    assert len(calls) == 3
    busy = auth.authenticate(db, "boss", PW, now=T0 + 5 * SEC, client=OTHER)
    assert (busy.ok, busy.reason, len(calls)) == (False, "busy", 3)        # refused unchecked, not recorded
    assert "1" in busy.message("zh") and "1" in busy.message("en")
    assert auth.authenticate(db, "boss", PW, now=T0 + 6 * SEC, client=USUAL).ok   # known: still checked
    assert auth.authenticate(db, "boss", PW, now=T0 + 66 * SEC, client=OTHER).ok  # the minute has passed
    failed = audit.read_audit(db, SYSTEM, action="login_failed")
    assert sorted(failed["target"]) == ["user0", "user1", "user2"]


@pytest.mark.parametrize("username", ["cm002", "no.such.user"])
def test_rate_limit_is_the_same_for_known_and_unknown_usernames(db, username):
    auth.create_user(db, SYSTEM, "cm002", None, "manager", password=PW, employee_id="CM002")
    reasons = [auth.authenticate(db, username, "wrong999", now=T0 + i * MIN).reason for i in range(6)]
    # failures 1-4 are plain failures; the 5th (minute 4) makes this client wait 1 min (answered as locked);
    # at minute 5 the wait is over, the 6th failure makes it wait 2 min (until minute 7)
    assert reasons == ["bad_credentials"] * 4 + ["locked", "locked"]
    locked = auth.authenticate(db, username, PW, now=T0 + 6 * MIN)
    assert (locked.ok, locked.reason, locked.retry_after_seconds) == (False, "locked", 60)   # until minute 7
    assert "1" in locked.message("en") and "1" in locked.message("zh")
    trail = actions(db)
    assert sum(1 for _u, a, tg in trail if a == "login_failed" and tg == username) == 6
    assert sum(1 for _u, a, tg in trail if a == "login_locked" and tg == username) == 2
    after = auth.authenticate(db, username, PW, now=T0 + 7 * MIN)     # the wait has run out
    # the password is checked again: right for cm002; for the unknown name it is the 7th failure (wait 4 min),
    # the same answer a wrong password for cm002 gets there
    assert after.reason == ("ok" if username == "cm002" else "locked")


def test_a_lock_on_one_username_does_not_touch_another(db):
    auth.create_user(db, SYSTEM, "cm002", None, "manager", password=PW, employee_id="CM002")
    auth.create_user(db, SYSTEM, "rm002", None, "manager", password=PW, employee_id="RM002")
    for i in range(5):
        auth.authenticate(db, "cm002", "wrong999", now=T0 + i * MIN)
    assert auth.authenticate(db, "cm002", PW, now=T0 + 4 * MIN + 30 * SEC).reason == "locked"
    assert auth.authenticate(db, "rm002", PW, now=T0 + 4 * MIN + 30 * SEC).ok


def test_attempts_are_stored_with_their_client(db):
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    auth.authenticate(db, "boss", "wrong999", now=T0, client=STRANGER)
    auth.authenticate(db, "boss", PW, now=T0 + MIN, client=USUAL)
    assert acc.recent_attempts(db, "boss", T0 - MIN) == [(T0, False, STRANGER), (T0 + MIN, True, USUAL)]
    assert [d.get("client") for d in map(json.loads, audit.read_audit(db, SYSTEM, action="login")["detail"])] \
        == [USUAL]


@pytest.mark.parametrize("typed", ["CM002", "  cm002 ", "Cm002"])
def test_usernames_are_case_insensitive(db, typed):
    auth.create_user(db, SYSTEM, "cm002", None, "manager", password=PW, employee_id="CM002")
    res = auth.authenticate(db, typed, PW, now=T0)
    assert res.ok and res.scope == Scope("manager", "cm002", "对公一队", "CM002")


def test_successful_sign_in_is_recorded(db):
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    assert auth.authenticate(db, "boss", PW, now=T0).ok
    assert acc.get_user(db, "boss")["last_login"] == T0
    assert ("boss", "login", "boss") in actions(db)


def test_password_less_account_cannot_sign_in_with_a_password(db):
    auth.create_user(db, SYSTEM, "sso.boss", None, "director", email="boss@bank.example")
    assert auth.authenticate(db, "sso.boss", "", now=T0).reason == "bad_credentials"
    assert auth.authenticate(db, "sso.boss", PW, now=T0).reason == "bad_credentials"


def test_old_parameters_are_upgraded_at_sign_in(db, monkeypatch):
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)     # fast (test) parameters
    old = acc.get_user_secret(db, "boss")[1]
    monkeypatch.delenv("DASH_ARGON2_FAST")                                  # production parameters now
    assert auth.authenticate(db, "boss", PW, now=T0).ok
    new = acc.get_user_secret(db, "boss")[1]
    assert new != old and not auth.needs_rehash(new)
    assert auth.verify_password(new, PW)


# ---------------------------------------------------------------- scopes and single sign-on

@pytest.mark.parametrize("kwargs, scope", [
    (dict(role="director"), Scope("director", "u1")),
    (dict(role="director", employee_id="CM001"), Scope("director", "u1", None, "CM001")),
    (dict(role="team_lead", team="零售一队"), Scope("team_lead", "u1", "零售一队")),
    (dict(role="team_lead", team="对公一队", employee_id="CM001"), Scope("team_lead", "u1", "对公一队", "CM001")),
    (dict(role="manager", employee_id="RM002"), Scope("manager", "u1", "零售一队", "RM002")),
])
def test_scope_for_username(db, kwargs, scope):
    auth.create_user(db, SYSTEM, "u1", None, password=PW, **kwargs)
    assert auth.scope_for_username(db, "U1") == scope
    assert auth.authenticate(db, "u1", PW, now=T0).scope == scope


def test_scope_for_unknown_username_raises(db):
    with pytest.raises(ScopeError):
        auth.scope_for_username(db, "ghost")


@pytest.mark.parametrize("email, expected", [
    ("li.na@bank.example", "cm002"),
    ("LI.NA@Bank.Example ", "cm002"),
    ("nobody@bank.example", None),
    ("", None),
])
def test_scope_for_email(db, email, expected):
    auth.create_user(db, SYSTEM, "cm002", None, "manager", employee_id="CM002", email="li.na@bank.example")
    if expected is None:
        with pytest.raises(ScopeError):
            auth.scope_for_email(db, email)
    else:
        assert auth.scope_for_email(db, email).username == expected
        assert auth.sso_signin(db, email, now=T0).username == expected
        assert acc.get_user(db, expected)["last_login"] == T0


def test_sso_for_a_disabled_account_is_refused(db):
    auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    auth.create_user(db, SYSTEM, "cm002", None, "manager", employee_id="CM002", email="li.na@bank.example")
    auth.set_active(db, SYSTEM, "cm002", False)
    with pytest.raises(ScopeError):
        auth.sso_signin(db, "li.na@bank.example")


# ---------------------------------------------------------------- demo mode

def _demo_on(engine):
    config.set_setting(engine, SYSTEM, "demo_mode", "true")


def test_demo_accounts_follow_the_roster(db):
    assert auth.ensure_demo_accounts(db) == ["demo_director", "demo_lead", "demo_manager"]
    assert auth.ensure_demo_accounts(db) == []                      # idempotent
    demo = auth.demo_accounts(db)
    assert {r: (u["role"], u["team"], u["employee_id"], u["is_demo"], u["has_password"]) for r, u in demo.items()} == {
        "director": ("director", None, None, True, False),
        "team_lead": ("team_lead", "对公一队", "CM001", True, False),   # the team's 高级客户经理
        "manager": ("manager", "对公一队", "CM002", True, False),
    }


def test_demo_manager_falls_back_when_cm002_is_missing(engine):
    frame = roster_frame()
    frame = frame[frame["employee_id"] != "CM002"]
    logs.apply_roster(engine, SYSTEM, frame, "roster.xlsx", "sha")
    auth.ensure_demo_accounts(engine)
    demo = auth.demo_accounts(engine)
    assert demo["team_lead"]["employee_id"] == "CM001"
    assert demo["manager"]["employee_id"] == "CM003"     # the team's first manager who is not the lead


@pytest.mark.parametrize("demo_setting, real_director, available", [
    (None, False, False),          # not demo mode: nothing
    ("false", False, False),
    ("true", False, True),
    ("true", True, False),         # a real director exists: demo sign-in is closed
])
def test_demo_signin_available(db, demo_setting, real_director, available):
    if demo_setting is not None:
        config.set_setting(db, SYSTEM, "demo_mode", demo_setting)
    auth.ensure_demo_accounts(db)
    if real_director:
        auth.create_user(db, SYSTEM, "boss", None, "director", password=PW)
    assert auth.demo_signin_available(db) is available
    for role in ("director", "team_lead", "manager"):
        if available:
            assert auth.demo_signin(db, role).username == auth.DEMO_USERNAMES[role]
        else:
            with pytest.raises(AppError):
                auth.demo_signin(db, role)


def test_demo_sessions_end_when_a_real_director_is_created(db):
    _demo_on(db)
    lead = auth.demo_signin(db, "team_lead")
    assert lead == Scope("team_lead", "demo_lead", "对公一队", "CM001")
    assert auth.scope_for_username(db, "demo_lead") == lead
    auth.create_user(db, auth.demo_signin(db, "director"), "boss", None, "director", password=PW)
    for uname in auth.DEMO_USERNAMES.values():
        with pytest.raises(ScopeError):
            auth.scope_for_username(db, uname)
    assert auth.authenticate(db, "demo_director", "", now=T0).reason == "demo_disabled"
    assert auth.authenticate(db, "boss", PW, now=T0).ok


def test_demo_accounts_have_no_password(db):
    _demo_on(db)
    auth.ensure_demo_accounts(db)
    assert auth.authenticate(db, "demo_director", "", now=T0).reason == "bad_credentials"
    with pytest.raises(AppError) as ei:
        auth.reset_password(db, SYSTEM, "demo_director", "newpass2026")
    assert ei.value.key == "auth.password_demo"


def test_disabling_a_demo_director_is_allowed_and_does_not_count_as_last_director(db):
    _demo_on(db)
    auth.ensure_demo_accounts(db)
    assert auth.set_active(db, SYSTEM, "demo_director", False)
    with pytest.raises(AppError):
        auth.demo_signin(db, "director")
