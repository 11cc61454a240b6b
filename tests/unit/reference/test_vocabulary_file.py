"""The vocabulary file: loaded once, every word under one canonical value, each used by a column."""

from __future__ import annotations

import pytest

from etl.reference.vocabularies import build_vocabulary, load_vocabularies, vocabulary, vocabulary_for_column


def test_a_word_under_two_values_is_refused():
    with pytest.raises(ValueError, match="both"):
        build_vocabulary("t", {"首次认定": ["新认定"], "重新认定": ["新认定"]})


def test_words_compare_without_spaces_width_or_case(tmp_path):
    v = build_vocabulary("t", {"是": ["Y"]}, none=["—"])
    assert (
        v.lookup(" ｙ ") == (True, "是") and v.lookup("—") == (True, None) and v.lookup("Z") == (False, None)
    )


def test_the_shipped_file_loads_and_names_its_columns(tmp_path):
    vocabs = load_vocabularies()
    assert {"flag", "cert_type", "entry_type", "chain"} <= set(vocabs)
    assert vocabulary_for_column("hightech_certs", "cert_type") == "cert_type"
    assert vocabulary_for_column("enterprise_periods", "is_above_scale") == "flag"
    assert vocabulary_for_column("enterprise_periods", "name") is None
    with pytest.raises(KeyError, match="known"):
        vocabulary("nonexistent")


def test_a_spec_naming_an_unknown_vocabulary_is_refused(tmp_path):
    from etl.spec.model import SpecError, load_spec

    p = tmp_path / "s.yaml"
    p.write_text(
        "source: hightech\nlayout: x\ndataset: hightech_certs\n"
        "fields:\n  cert_type: {aliases: [类型], vocabulary: nonexistent}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError, match="nonexistent"):
        load_spec(p)
