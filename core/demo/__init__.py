"""The demo bank: a deterministic, believable sub-branch (城南支行) for first start, demos and tests.

:func:`generate` builds, from a fixed seed, four teams (对公一队, 对公二队, 零售一队, 零售二队) of eight customer
managers each (CM001..CM032, three grades), 26 ISO weeks of daily logs ending on ``end``, and monthly targets for
every month the logs cover. Logs exist only on China working days (statutory holidays off, make-up days 调休
worked). Most managers are *steady*; ten carry a planted coaching pattern (``DemoBank.planted``) that the coaching
rules find in the review week (the ISO week containing ``end``):

==================== ======================================================================================
pattern              how it is planted
==================== ======================================================================================
behind_pace          this month's products and new customers at ~45% of the usual level
low_activity         visits at ~30% of the team's level, all along (缺乏干劲型)
busy_not_converting  visits ~130% of the team's level, new customers at 0.3× the usual rate (信心不足型)
declining            a 高级客户经理 star whose weekly totals *and* per-working-day rates fall from W-3 to W, ending
                     near half (骄傲自满型)
missing_logs         no daily report on the last three working days up to ``end``
complaints           two complaints in the review week (and two isolated ones before)
front_loaded         the last complete month(s): strong start, ~10% of the month in its last 10 working days
month_end_spike      deposit balance +65–80% on every month's last working day, flowing back within days (冲时点)
new_without_mentor   an assistant hired ~11 weeks before ``end``, ramping up, no mentor on the roster
new_with_mentor      an assistant hired ~14 weeks before ``end``, ramping up, with a mentor
==================== ======================================================================================

"The last complete month" is read both ways a rule may read it: the month before ``end``'s month, and ``end``'s
own month when ``end`` is its last working day (:func:`last_complete_months`); front-loading is planted in both.
Some patterns cannot show for some ends whatever the data: ``behind_pace`` before the 5th working day of a month,
``missing_logs`` when the review week has fewer than two working days up to ``end``, ``declining`` and
``low_activity`` when one of the weeks compared has no working day (Spring Festival).

Steady managers are smooth by construction: weekly totals are drawn with small noise around a stable level (a short
holiday week does √(days/5) of a full week's total, so neither its total nor its per-day rate jumps far), and
never fall two weeks running — neither in total nor per working day — so no metric can fall three weeks running
by either measure; each week's total is spread over that week's working days, the month-end deposit push stays a
few percent of the balance, complaints are rare and old, and this month's targets keep them on pace.

:func:`load_demo` stores a bank through the normal write path (``core.store.logs.apply_*``) and marks the database
as demo data (setting ``demo_mode``); :func:`is_demo` reads that mark.
"""
from core.demo.cast import (BRANCH, DEFAULT_SEED, DEMO_SCOPE, PATTERNS, SETTING_KEY, TEAMS, WEEKS, DemoBank,
                             default_end, last_complete_months)
from core.demo.generate import generate
from core.demo.load import is_demo, load_demo

__all__ = ["BRANCH", "DEFAULT_SEED", "DEMO_SCOPE", "PATTERNS", "SETTING_KEY", "TEAMS", "WEEKS", "DemoBank", "default_end",
           "generate", "is_demo", "last_complete_months", "load_demo"]
