"""Header matching: Chinese or English, with or without units, half/full-width brackets, bilingual templates."""
import pytest

from core import schema
from core.schema import match_header, split_header, unit_factor


@pytest.mark.parametrize("header, field, unit", [
    ("日期", "date", None),
    ("Date", "date", None),
    ("工号", "employee_id", None),
    ("Employee ID", "employee_id", None),
    ("客户经理", "manager_name", None),
    ("姓名", "manager_name", None),
    ("客户经理姓名", "manager_name", None),
    ("所属团队", "team", None),
    ("支行", "team", None),
    ("拜访户数", "visits", None),
    ("走访客户数", "visits", None),
    ("新拓客户数", "new_customers", None),
    ("新增存款(万元)", "deposits_new", "wan"),
    ("新增存款（万元）", "deposits_new", "wan"),
    ("新增存款 （ 万元 ）", "deposits_new", "wan"),
    ("新增存款(元)", "deposits_new", "yuan"),
    ("新增存款(亿元)", "deposits_new", "yi"),
    ("New deposits (CNY 10k)", "deposits_new", "wan"),
    ("New deposits (10k CNY)", "deposits_new", "wan"),        # the older English wording still reads
    ("New deposits CNY 10k", "deposits_new", "wan"),
    ("New deposits (CNY 100m)", "deposits_new", "yi"),
    ("new deposits (yuan)", "deposits_new", "yuan"),
    ("NEW DEPOSITS", "deposits_new", None),
    ("存款余额（万元）", "deposit_balance", "wan"),
    ("贷款投放", "loans_new", None),
    ("信用卡发卡", "credit_cards", None),
    ("手机银行签约", "mobile_banking", None),
    ("理财销售(万元)", "wealth_sales", "wan"),
    ("中间业务收入(元)", "fee_income", "yuan"),
    ("中间业务收入（万元）", "fee_income", "wan"),
    ("Fee income (CNY)", "fee_income", "yuan"),
    ("贷后检查", "post_loan_checks", None),
    ("投诉", "complaints", None),
    ("客户投诉", "complaints", None),
    ("问题与收获", "notes", None),
    ("备注", "notes", None),
    ("新增存款(万元) New deposits (CNY 10k)", "deposits_new", "wan"),   # bilingual template header
    ("新增存款(万元) New deposits (10k CNY)", "deposits_new", "wan"),   # … as templates wrote it before
    ("拜访客户数 Visits", "visits", None),
])
def test_daily_headers(header, field, unit):
    f, u = match_header(header)
    assert f is not None and f.name == field
    assert u == unit


@pytest.mark.parametrize("header", ["", None, "奖金", "Bonus", "序号", "单元"])
def test_unknown_headers(header):
    assert match_header(header)[0] is None


@pytest.mark.parametrize("header, index, field", [
    ("导师工号", schema.ROSTER_ALIAS_INDEX, "mentor_id"),
    ("入职日期", schema.ROSTER_ALIAS_INDEX, "start_date"),
    ("Line", schema.ROSTER_ALIAS_INDEX, "line"),
    ("职级", schema.ROSTER_ALIAS_INDEX, "grade"),
    ("月份", schema.TARGET_ALIAS_INDEX, "month"),
    ("信用卡", schema.TARGET_ALIAS_INDEX, "credit_cards"),
])
def test_roster_and_target_headers(header, index, field):
    assert match_header(header, index)[0].name == field


@pytest.mark.parametrize("unit, field, factor", [
    ("yuan", "deposits_new", 0.0001),      # 1 元 = 0.0001 万元
    ("wan", "deposits_new", 1.0),
    ("yi", "deposits_new", 10_000.0),      # 1 亿元 = 10,000 万元
    ("wan", "fee_income", 10_000.0),       # 1 万元 = 10,000 元
    (None, "fee_income", 1.0),
    ("wan", "visits", 1.0),                # counts have no unit
])
def test_unit_factor(unit, field, factor):
    assert unit_factor(unit, schema.FIELDS_BY_NAME[field]) == pytest.approx(factor)


def test_split_header_folds_full_width():
    assert split_header("新增贷款（万元）") == ("新增贷款", "wan")


def test_metric_groups_are_consistent():
    assert "deposit_balance" not in schema.FLOW_METRICS
    assert set(schema.TARGET_METRICS) <= set(schema.METRICS)
    assert schema.FIELDS_BY_NAME["fee_income"].unit == "yuan"
    assert {schema.FIELDS_BY_NAME[m].unit for m in ("deposits_new", "deposit_balance", "loans_new", "wealth_sales")} == {"wan"}
