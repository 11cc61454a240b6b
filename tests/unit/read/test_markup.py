"""An `.xls` that is an HTML page (the export of many government systems and of WPS) and the Excel
2003 XML workbook are read as the tables they are — merged header cells as merges — and a page
with no table, or XML with a DTD, is refused with a message that says what the file is."""

from __future__ import annotations

import pytest

from etl.extract import extract
from etl.read import ReadError, read_workbook

TITLE = "淮安区工业企业主要经济指标（2025年1-9月）"
ROWS = [
    ("1", "91320803MA0BK5CX60", "江苏华天（淮安）机械设备有限公司", "淮城街道", "15,159.15", "209", "是"),
    ("2", "91320803MA1MDEF972", "淮安市恒达食品有限公司", "车桥镇", "8200.5", "88", "否"),
]


def html_roster() -> str:
    """Title row over the table, a two-row header whose 工业总产值（万元） spans 本年累计 and 上年同期
    (colspan) while the other labels span both header rows (rowspan), a <br> inside a label."""
    body = "".join(
        f"<tr><td>{s}</td><td>{code}</td><td>{name}</td><td>{town}</td><td>{out}</td><td>1.0</td>"
        f"<td>{emp}</td><td>{flag}</td></tr>"
        for s, code, name, town, out, emp, flag in ROWS
    )
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<style>td {mso-number-format:'\\@';}</style></head><body>"
        f'<table border="1"><tr><td colspan="8">{TITLE}</td></tr>'
        '<tr><th rowspan="2">序号</th><th rowspan="2">统一社会信用代码</th><th rowspan="2">企业名称</th>'
        '<th rowspan="2">所在镇<br>（街道）</th><th colspan="2">工业总产值（万元）</th>'
        '<th rowspan="2">从业人员（人）</th><th rowspan="2">是否规上</th></tr>'
        f"<tr><th>本年累计</th><th>上年同期</th></tr>{body}</table>"
        "<p>注：本表由系统导出。</p></body></html>"
    )


def test_an_html_page_named_xls_reads_with_its_merged_header(tmp_path):
    f = tmp_path / "规上工业企业主要指标.xls"
    f.write_bytes(html_roster().encode("gbk"))
    wb = read_workbook(f)
    assert wb.format == "html" and len(wb.sheets) == 1
    grid = wb.sheets[0]
    assert grid.rows[1][3] == "所在镇\n（街道）" and grid.rows[1][4] == "工业总产值（万元）"
    assert ((1, 4), (1, 5)) in grid.merged and ((1, 0), (2, 0)) in grid.merged
    assert grid.rows[2][:6] == [None, None, None, None, "本年累计", "上年同期"]

    ex = extract(f, "enterprises", file_name=f.name)
    assert not ex.critical, [i.describe() for i in ex.critical]
    fr = ex.frame.set_index("credit_code")
    assert fr.loc["91320803MA0BK5CX60", "output_ytd"] == pytest.approx(15159.15)
    assert fr.loc["91320803MA1MDEF972", "employees"] == 88
    assert fr["is_above_scale"].tolist() == [True, False]
    assert set(fr["period"]) == {"2025-09"}


def test_an_excel_2003_xml_workbook_reads_with_merges_and_skipped_cells(tmp_path):
    cells = "".join(
        f'<Row><Cell><Data ss:Type="String">{code}</Data></Cell><Cell><Data ss:Type="String">{name}</Data></Cell>'
        f'<Cell><Data ss:Type="String">{town}</Data></Cell>'
        f'<Cell ss:Index="5"><Data ss:Type="Number">{out.replace(",", "")}</Data></Cell></Row>'
        for _, code, name, town, out, _e, _f in ROWS
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="9月"><Table>'
        f'<Row><Cell ss:MergeAcross="4"><Data ss:Type="String">{TITLE}</Data></Cell></Row>'
        '<Row><Cell><Data ss:Type="String">统一社会信用代码</Data></Cell><Cell><Data ss:Type="String">企业名称</Data></Cell>'
        '<Cell><Data ss:Type="String">所在镇（街道）</Data></Cell><Cell><Data ss:Type="String">备注</Data></Cell>'
        '<Cell><Data ss:Type="String">工业总产值（万元）</Data></Cell></Row>'
        f"{cells}</Table></Worksheet></Workbook>"
    )
    f = tmp_path / "规上工业企业主要指标.xls"
    f.write_text(xml, encoding="utf-8")
    wb = read_workbook(f)
    assert wb.format == "xml" and wb.sheets[0].name == "9月"
    assert wb.sheets[0].merged == [((0, 0), (0, 4))]
    assert wb.sheets[0].rows[2][3] is None and wb.sheets[0].rows[2][4] == pytest.approx(15159.15)
    ex = extract(f, "enterprises", file_name=f.name)
    assert not ex.critical, [i.describe() for i in ex.critical]
    assert sorted(ex.frame["output_ytd"]) == pytest.approx([8200.5, 15159.15])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("<html><body><p>系统维护中，请稍后再试</p></body></html>", "没有表格"),
        ("<!DOCTYPE html><html><body>登录超时</body></html>", "没有表格"),
        (
            '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]>'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet/></Workbook>',
            "DTD",
        ),
        (
            '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksh',
            "损坏",
        ),
    ],
)
def test_markup_without_a_table_is_refused_saying_what_it_is(tmp_path, text, says):
    f = tmp_path / "报表.xls"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError, match=says):
        read_workbook(f)


def test_a_huge_span_is_bounded_by_the_cell_limit(tmp_path):
    f = tmp_path / "报表.xls"
    f.write_text('<table><tr><td rowspan="999999" colspan="999999">x</td></tr></table>', encoding="utf-8")
    with pytest.raises(ReadError, match="单元格"):
        read_workbook(f, max_cells=100_000)
