"""Which land ledger a file is: 挂钩 (增减挂钩: 复垦面积) or 占补 (占补平衡: 新增耕地面积). A 挂钩
ledger that also has a 新增耕地面积 column, in a file named 增减挂钩及占补平衡…, matched both
layouts alike and had loaded as 占补 — its projects' new cultivated land counted as 占补平衡 and
its reclaimed area lost, without a word. The title or sheet name now decides; when nothing does,
the file is refused saying so."""

from __future__ import annotations

import openpyxl
import pytest

from etl.extract import extract
from tests.hostile.corpus import ledger_rows, write_xlsx

BOTH = ["序号", "项目名称", "所在镇", "复垦面积", "新增耕地面积", "验收日期"]


def _both_columns(tmp_path, name: str, title: str):
    rows = [[r[0], r[1], r[2], r[3], round(r[3] * 0.8, 2), r[4]] for r in ledger_rows(3)]
    return write_xlsx(tmp_path / name, [BOTH, *rows], title=title)


@pytest.mark.parametrize("name", ["增减挂钩及占补平衡项目台账.xlsx", "占补平衡及增减挂钩项目台账.xlsx"])
def test_the_title_says_which_ledger_a_file_named_for_both_is(tmp_path, name):
    f = _both_columns(tmp_path, name, "淮安区城乡建设用地增减挂钩项目验收台账")
    ex = extract(f, "land_use", file_name=f.name)
    assert ex.spec.layout == "linkage_ledger" and not ex.critical
    assert ex.frame["area_mu"].tolist() == [50.0, 51.0, 52.0]  # 复垦面积, not 新增耕地面积
    g = _both_columns(tmp_path, "x_" + name, "淮安区耕地占补平衡项目验收台账")
    assert extract(g, "land_use", file_name=name).spec.layout == "balance_ledger"


def test_a_file_nothing_tells_apart_is_refused_saying_so(tmp_path):
    f = _both_columns(tmp_path, "挂钩及占补平衡项目台账.xlsx", "淮安区土地整治项目验收台账")
    (crit,) = extract(f, "land_use", file_name=f.name).critical
    assert crit.rule == "ambiguous_layout" and "挂钩" in crit.message and "占补" in crit.message


def test_a_workbook_of_a_linkage_and_a_balance_sheet_reads_one_and_says_the_other(tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, area in (("增减挂钩", "复垦面积"), ("占补平衡", "新增耕地面积")):
        ws = wb.create_sheet(sheet)
        ws.append([f"{sheet}项目台账"])
        ws.append(["序号", "项目名称", "所在镇", area, "验收日期"])
        for r in ledger_rows(2):
            ws.append(r)
    f = tmp_path / "土地项目台账_挂钩占补.xlsx"
    wb.save(f)
    ex = extract(f, "land_use", file_name=f.name)
    assert not ex.critical
    (said,) = [i for i in ex.issues if i.rule == "sheet_not_read"]
    assert said.sheet != ex.frame["_sheet"].iloc[0]
