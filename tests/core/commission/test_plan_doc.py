"""The plan in force as sentences (core.commission.plan_doc): the test plan of data.py, read in both languages."""
from __future__ import annotations

import re

import pytest

from core.commission.plan_doc import plan_document
from tests.core.commission.data import plan


@pytest.mark.parametrize("lang, grades", [
    ("zh", ["客户经理助理:基本工资每月 3,000.00 元,绩效系数 0.8。", "客户经理:基本工资每月 4,000.00 元,绩效系数 1。",
            "高级客户经理:基本工资每月 5,500.00 元,绩效系数 1.2。"]),
    # English: the grade names in English (fmt.grade), not 客户经理助理 on an English page
    ("en", ["Assistant manager: base pay CNY 3,000.00 a month, grade coefficient 0.8.",
            "Customer manager: base pay CNY 4,000.00 a month, grade coefficient 1.",
            "Senior manager: base pay CNY 5,500.00 a month, grade coefficient 1.2."]),
])
def test_grades_read_in_the_page_language(lang, grades):
    doc = plan_document(plan(), lang)
    for g in grades:
        assert g in doc
    if lang == "en":       # the plan's name is the bank's text; nothing else in Chinese
        assert not [s for s in doc[1:] if re.search(r"[\u4e00-\u9fff]", s)], doc


def test_the_reserve_has_one_name_in_chinese():
    """The statement and the page say 风险补偿金 (DOMAIN.md); the plan document said 风险准备金 for the same money."""
    doc = "".join(plan_document(plan(), "zh"))
    assert "风险补偿金" in doc and "风险准备金" not in doc
