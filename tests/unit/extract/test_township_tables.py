"""A long table without a 地区 column is of the township its title, sheet name, file name, 地区 line
or 填报单位 names (`车桥镇2025年主要经济指标`), not the district's: such tables had been filed as
淮安区's figures (GDP of a township as the district's). A title naming none leaves the district."""

from __future__ import annotations

import pytest

from etl.extract import extract
from tests.hostile.corpus import write_xlsx

ROWS = [["指标名称", "时期", "数值", "单位"], ["地区生产总值", "2025年", 60.1, "亿元"]]


@pytest.mark.parametrize(
    ("title", "sheet", "name", "region"),
    [
        ("车桥镇2025年主要经济指标", "Sheet1", "主要经济指标.xlsx", "车桥镇"),
        ("淮安市淮安区车桥镇主要经济指标", "Sheet1", "主要经济指标.xlsx", "车桥镇"),
        ("2025年主要经济指标", "车桥镇", "主要经济指标.xlsx", "车桥镇"),
        ("2025年主要经济指标", "Sheet1", "车桥镇主要经济指标.xlsx", "车桥镇"),
        ("地区：石塘镇", "Sheet1", "主要经济指标.xlsx", "石塘镇"),
        ("填报单位：车桥镇人民政府", "Sheet1", "主要经济指标.xlsx", "车桥镇"),
        ("淮安区2025年主要经济指标", "Sheet1", "主要经济指标.xlsx", "淮安区"),
        ("淮安区主要经济指标（含车桥镇）", "Sheet1", "主要经济指标.xlsx", "淮安区"),
    ],
)
def test_a_long_table_is_of_the_township_it_names(tmp_path, title, sheet, name, region):
    ex = extract(write_xlsx(tmp_path / name, ROWS, title=title, sheet=sheet), "indicators")
    assert not ex.critical, [i.message for i in ex.issues]
    assert ex.frame["region"].tolist() == [region]
