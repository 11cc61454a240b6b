"""Categorical columns map through vocabularies (etl/reference/data/vocabularies.yaml), never
through substrings; a word outside one is a warning naming it, the row kept with the field empty."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from etl.extract import extract
from etl.reference.vocabularies import vocabularies, vocabulary

HEADER = ["统一社会信用代码", "企业名称", "所在镇（街道）", "行业代码", "工业总产值（万元）"]


def roster(
    tmp_path: Path, extra: dict[str, list], *, name="规上工业企业主要指标_2025年1-6月.csv", title=None
):
    """A small roster CSV: one enterprise per value of the extra columns."""
    n = len(next(iter(extra.values()))) if extra else 2
    rows = [[title]] if title else []
    rows.append(HEADER + list(extra))
    for i in range(n):
        rows.append(
            [f"91320803MA{i:08d}", f"测试企业{i}有限公司", "平桥镇", "3411", 100 + i]
            + [col[i] for col in extra.values()]
        )
    f = tmp_path / name
    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["" if c is None else c for c in r] for r in rows])
    return f


def values(col: pd.Series) -> list:
    """A column's values with every kind of missing (None, nan, NA) as None."""
    return [None if pd.isna(v) else v for v in col]


def test_every_word_of_the_flag_vocabulary_and_one_outside_it(tmp_path):
    vocab = vocabulary("flag")
    words = vocab.words()
    expected = [vocab.values[w] for w in words]
    f = roster(tmp_path, {"专精特新": [*words, "待定"]})
    ex = extract(f, "enterprises")
    assert not ex.critical, ex.critical
    fr = ex.frame.sort_values("_row")
    got = fr["is_srdi"].tolist()
    assert got[:-1] == expected and got[-1] is pd.NA
    (warn,) = [i for i in ex.issues if i.rule == "not_in_vocabulary"]
    assert warn.severity == "warning" and warn.value == "待定" and warn.row == len(words) + 2
    assert "专精特新" in warn.column and len(fr) == len(words) + 1


def test_the_vocabulary_knows_what_rosters_write_for_yes_and_no():
    vocab = vocabulary("flag")
    for word in ("是", "√", "Y", "y", "1", 1, 1.0, "✓", "ＹＥＳ"):
        assert vocab.lookup(word) == (True, True), word
    for word in ("否", "×", "N", "0", 0, "", None, "—", "无"):
        assert vocab.lookup(word) == (True, False), word
    for word in ("待定", "2", "是否", "规上企业?"):
        assert vocab.lookup(word)[0] is False, word
    # marks and scale words rosters use (each had been a warning, the enterprise out of the counts)
    for word in ("●", "★", "规模以上", "规模以上企业", "规上企业"):
        assert vocab.lookup(word) == (True, True), word
    for word in ("规模以下", "规模以下企业", "规下企业"):
        assert vocab.lookup(word) == (True, False), word


@pytest.mark.parametrize(
    ("written", "stored"),
    [("首次认定", "首次认定"), ("重新认定", "重新认定"), ("新认定", "首次认定"), ("复审", "重新认定"),
     (" 重新认定 ", "重新认定"), ("首次", "首次认定")],
)  # fmt: skip
def test_renewal_is_never_a_first_time_certificate(tmp_path, written, stored):
    f = tmp_path / "2024年高新技术企业认定名单.csv"
    f.write_text(
        f"企业名称,证书编号,发证日期,所在镇街,认定类型\n甲公司,GR202432000001,2024-12-01,平桥镇,{written}\n",
        encoding="utf-8",
    )
    ex = extract(f, "hightech")
    assert ex.frame["cert_type"].tolist() == [stored]


def test_a_certificate_type_outside_the_vocabulary_is_named_and_left_empty(tmp_path):
    f = tmp_path / "2024年高新技术企业认定名单.csv"
    f.write_text(
        "企业名称,证书编号,发证日期,所在镇街,认定类型\n"
        "甲公司,GR202432000001,2024-12-01,平桥镇,首次认定\n"
        "乙公司,GR202432000002,2024-12-01,平桥镇,新认定(复审)\n",
        encoding="utf-8",
    )
    ex = extract(f, "hightech")
    assert values(ex.frame.sort_values("_row")["cert_type"]) == ["首次认定", None]
    (warn,) = [i for i in ex.issues if i.rule == "not_in_vocabulary"]
    assert warn.value == "新认定(复审)" and warn.row == 3 and warn.severity == "warning"


def test_entry_type_and_chain_through_their_vocabularies(tmp_path):
    f = roster(
        tmp_path,
        {
            "入库类型": ["小升规", "新建投产", "原有", "升规入库?"],
            "所属产业链": ["高端装备", "食品", "未知链", "其它"],
        },
    )
    ex = extract(f, "enterprises")
    fr = ex.frame.sort_values("_row")
    assert values(fr["entry_type"]) == ["小升规", "新建投产", None, None]
    # a chain outside the vocabulary: from the industry code (3411 → 高端装备制造), with a warning
    assert fr["chain"].tolist() == ["高端装备制造", "绿色食品", "高端装备制造", "其他"]
    warned = sorted(i.value for i in ex.issues if i.rule == "not_in_vocabulary")
    assert warned == ["升规入库?", "未知链"]


def test_no_word_belongs_to_two_values_and_the_chains_are_the_reference_chains():
    from etl.reference.industry import CHAINS

    assert set(vocabulary("chain").canonical) == set(CHAINS)
    for v in vocabularies().values():
        assert v.fields, v.name  # each is used by a dataset column


def test_a_spec_with_its_own_values(tmp_path):
    spec = tmp_path / "list.yaml"
    spec.write_text(
        "source: hightech\nlayout: own\ndataset: hightech_certs\nperiod_from: [file_name]\n"
        "fields:\n  name: {aliases: [企业名称], required: true}\n  cert_no: {aliases: [证书编号], required: true}\n"
        "  cert_type: {aliases: [类别], values: {首次认定: [A], 重新认定: [B]}}\n",
        encoding="utf-8",
    )
    f = tmp_path / "2024年名单.csv"
    f.write_text("企业名称,证书编号,类别\n甲,GR1,A\n乙,GR2,B\n丙,GR3,首次认定\n", encoding="utf-8")
    ex = extract(f, str(spec))
    assert ex.frame.sort_values("_row")["cert_type"].tolist() == ["首次认定", "重新认定", "首次认定"]


def test_a_list_that_never_says_first_or_renewed_warns_it_gives_no_first_time_count(tmp_path):
    f = tmp_path / "2024年高新技术企业认定名单.csv"
    f.write_text(
        "企业名称,证书编号,发证日期,所在镇街\n甲公司,GR202432000001,2024-12-01,平桥镇\n", encoding="utf-8"
    )
    ex = extract(f, "hightech")
    (gap,) = [i for i in ex.issues if i.rule == "no_indicator_value"]
    assert gap.message.startswith("hightech_new_cumulative 2024") and gap.severity == "warning"
