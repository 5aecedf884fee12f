"""Performance pay under 绩效全面买单制: the plan, its validation, and the statement with every line behind it.

Where things are
----------------
``plan`` (the model) · ``plan_yaml`` (parse + located checks) · ``periods`` (month / quarter) · ``measure``
(日均; pure) · ``reserve`` (release schedule and forfeits; pure) · ``inputs`` (what a period is computed from) ·
``forfeits`` (追索扣回, directors) · ``compute`` (one manager, one period; pure) · ``text`` (how a line reads) ·
``explain`` (hints, what-if) · ``book`` (which plan is in force; plan versions) · ``service`` (read from the store with the caller's scope, then compute;
history and reserve; what the page draws) · ``payout`` (team summaries, pay bands, dry run) · ``xlsx`` (the
statement workbook) · ``charts`` (Altair charts of the page).

The plan file
-------------
A bank writes its plan as YAML (see ``sample_data/plan_2026.yaml``)::

    name: 2026年客户经理绩效计价办法
    effective_from: 2026-01-01     # applies from this date until the next activated plan's date
    settlement: monthly            # monthly | quarterly (quantities and targets summed over the quarter)
    base_pay: {客户经理: 4000, ...}            # yuan per month, by grade
    grade_coefficient: {客户经理: 1.0, ...}    # the same grades
    items:                          # one per product; each has exactly one of `rate` / `tiers`
      - {metric: loans_new, rate: 12, deferred_share: 0.3}
      - {metric: credit_cards, rate: 30, above_target_rate: 45}
      - {metric: new_customers, tiers: {mode: marginal, bands: [{upto: 10, rate: 50}, {rate: 80}]}}
    deductions: [{metric: complaints, amount: 200}]
    floor: null                     # minimum performance pay; null = 下不保底
    cap: null                       # maximum performance pay; null = 上不封顶
    pay_bands: {一般: 1500, 优秀: 6000}
    reserve_release_after_months: 12   # or reserve_release: {first_after_months, every_months, instalments}
    attainment_multiplier: {cap: 1.2, bands: [{below: 0.6, factor: 0.8}, {below: 1.0, factor: 1.0}, {factor: 1.1}]}

An item may pay the deposit balance's 日均 (``measure: avg_daily``) or its increase (``measure:
avg_daily_increase`` with ``base: previous_period | year_start | same_period_last_year``), defined exactly in
:mod:`core.commission.measure`; ``floor`` / ``cap`` may be ``{share: 0.8, of: 6000}``.

Computation for one manager and one period (all money in :class:`~decimal.Decimal`, rounded to 0.01 yuan
half up wherever "round" is written):

1. Each item. ``rate``: quantity × rate. ``tiers`` ``mode: marginal``: each band pays its rate on the part of
   the quantity inside it; bands cover (previous upto, upto], the first band starts at 0 and the last band
   is open (no ``upto``). ``mode: slab``: the whole quantity at the rate of the band that contains it (a
   quantity equal to ``upto`` is in that band). ``above_target_rate``: units up to the manager's target for
   the period at ``rate``, units above at ``above_target_rate`` (no target set: all at ``rate``). A negative
   quantity (a reversal) pays negatively, at ``rate`` or at the first band's rate. Each item is rounded.
2. gross = sum of items; performance = round(gross × grade coefficient × factor), where factor is the
   attainment multiplier's (完成率系数): composite = mean over the metrics with a target > 0 of
   min(actual ÷ target, cap); the factor of the first band whose ``below`` exceeds it; 1 without a
   multiplier or without targeted metrics.
3. performance −= sum of deductions (each round(quantity × amount); deductions are not multiplied by the
   coefficient).
4. performance is clamped to [floor, cap] where they are set.
5. deferred (风险补偿金) = round(Σ item × coefficient × factor × deferred_share), clamped to
   [0, max(performance, 0)]: the reserve never takes more than the performance pay, and a reversal never pays
   the reserve out. It is released later in instalments, net of forfeits (:mod:`core.commission.reserve`).
6. payable = base pay × months in the period + performance − deferred + released (instalments of earlier
   deferrals due in this period) + adjustments.

Pay bands: ``pay_bands: {一般: 1500, 优秀: 6000}`` gives the lower bound of each band on the period's (final)
performance pay: < 1500 → 不合格, 1500 ≤ p < 6000 → 一般, ≥ 6000 → 优秀. Either key may be left out.

Plans are chosen per period: the activated plan with the greatest ``effective_from`` on or before the
period's first day (:mod:`core.commission.book`). Every failure is a :class:`core.errors.AppError` with a
``commission.*`` key (a ``ScopeError`` for a manager the caller may not see).
"""
from core.commission.book import (
                                  LIST_COLUMNS,
                                  PlanBook,
                                  PlanInForce,
                                  get_plan,
                                  list_plans,
                                  period_in_force,
                                  plan_book,
                                  plan_in_force,
                                  resolve_plan,
                                  upload_plan,
)
from core.commission.compute import DeductionLine, Line, Segment, Statement, compute, item_segments
from core.commission.explain import Hint, WhatIf, band_hint, hints, next_step, what_if, what_if_view
from core.commission.payout import (
                                  DryRun,
                                  PayoutSummary,
                                  compare_plans,
                                  dry_run,
                                  payout_summary,
                                  summary_frame,
                                  team_summary,
)
from core.commission.periods import Period, check_period, parse_period, period_for, quarter_of
from core.commission.plan import (
                                  PAY_BAND_KEYS,
                                  PAY_BANDS,
                                  SETTLEMENTS,
                                  Band,
                                  Deduction,
                                  Item,
                                  Plan,
                                  Tiers,
                                  pay_band_names,
)
from core.commission.plan_yaml import SAMPLE_PLAN, load_plan_file, parse_plan, sample_plan
from core.commission.service import (
                                  CommissionPage,
                                  History,
                                  PeriodRun,
                                  StatementPage,
                                  commission_page,
                                  history,
                                  run_period,
                                  statement,
                                  statement_page,
                                  statements,
)
from core.commission.text import band_name, how_text, metric_name, unit_label
from core.convert import ZERO, money, money_str
from core.store.plans import activate_plan, deactivate_plan, plan_body

__all__ = ["LIST_COLUMNS", "PlanBook", "PlanInForce", "get_plan", "list_plans", "period_in_force", "plan_book",
           "plan_in_force", "resolve_plan", "upload_plan", "DeductionLine", "Line", "Segment", "Statement",
           "compute", "item_segments", "Hint", "WhatIf", "band_hint", "hints", "next_step", "what_if",
           "what_if_view", "DryRun", "PayoutSummary", "compare_plans", "dry_run", "payout_summary", "summary_frame",
           "team_summary", "Period", "check_period", "parse_period", "period_for", "quarter_of", "PAY_BAND_KEYS",
           "PAY_BANDS", "SETTLEMENTS", "Band", "Deduction", "Item", "Plan", "Tiers", "pay_band_names",
           "SAMPLE_PLAN", "load_plan_file", "parse_plan", "sample_plan", "CommissionPage", "History", "PeriodRun",
           "StatementPage", "commission_page", "history", "run_period", "statement", "statement_page",
           "statements", "band_name", "how_text", "metric_name", "unit_label", "ZERO", "money", "money_str",
           "activate_plan", "deactivate_plan", "plan_body"]
