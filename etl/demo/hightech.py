"""hightech/: the 科技局 认定名单 of 2022–2024 and the 2025 counts by township."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl.demo.book import Book
from etl.demo.model import Demo
from etl.demo.story import DEMO_TOWNSHIPS


def write_hightech(demo: Demo, folder: Path) -> list[Path]:
    paths = []
    for year in (2022, 2023, 2024):
        path = folder / f"{year}年高新技术企业认定名单.xlsx"
        b = Book(path, dt.datetime(year + 1, 1, 8, 10, 0))
        ws = b.sheet()
        ws.merge_range(0, 0, 0, 5, f"淮安区{year}年度高新技术企业认定名单", b.title)
        for c, h in enumerate(("序号", "企业名称", "证书编号", "发证日期", "所在镇街", "认定类型")):
            ws.write_string(1, c, h, b.head)
        ws.set_column(1, 1, 34)
        ws.set_column(2, 3, 16)
        for i, (d, no, name, town, kind) in enumerate(demo.cert_rows[year]):
            if year == 2023:
                name = name.replace("（", "(").replace("）", ")")
            ws.write_number(2 + i, 0, i + 1, b.center)
            ws.write_string(2 + i, 1, name, b.text)
            ws.write_string(2 + i, 2, no, b.text)
            ws.write_datetime(
                2 + i, 3, dt.datetime(d.year, d.month, d.day), b.date_slash if year == 2022 else b.date
            )
            ws.write_string(2 + i, 4, town, b.text)
            ws.write_string(2 + i, 5, kind, b.center)
        b.close()
        paths.append(path)

    path = folder / "2025年高新技术企业认定情况统计表.xlsx"
    b = Book(path, dt.datetime(2026, 1, 9, 10, 0))
    ws = b.sheet()
    ws.merge_range(0, 0, 0, 3, "淮安区2025年度高新技术企业认定情况统计表", b.title)
    for c, h in enumerate(("镇（街道）", "首次认定（家）", "重新认定（家）", "合计（家）")):
        ws.write_string(1, c, h, b.head)
    ws.set_column(0, 3, 16)
    counts = {name: [0, 0] for _, name in DEMO_TOWNSHIPS}
    for _, _, _, town, kind in demo.cert_rows[2025]:
        counts[town][0 if kind == "首次认定" else 1] += 1
    total = [0, 0]
    for i, (_, name) in enumerate(DEMO_TOWNSHIPS):
        first, renew = counts[name]
        total = [total[0] + first, total[1] + renew]
        ws.write_string(2 + i, 0, name, b.text)
        for c, v in enumerate((first, renew, first + renew)):
            ws.write_number(2 + i, 1 + c, v, b.int)
    r = 2 + len(DEMO_TOWNSHIPS)
    ws.write_string(r, 0, "合计", b.center)
    for c, v in enumerate((total[0], total[1], total[0] + total[1])):
        ws.write_number(r, 1 + c, v, b.int)
    b.close()
    paths.append(path)
    return paths
