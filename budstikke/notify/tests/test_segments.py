"""Segment arithmetic: GSM 03.38 basic and extension tables, 160/153 and 70/67."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budstikke.notify.segments import GSM7, GSM7_BASIC, GSM7_EXTENSION, UCS2, count, is_gsm7


def test_the_tables_have_their_standard_sizes() -> None:
    assert len(GSM7_BASIC) == 127  # 128 positions, one of them the escape to the extension
    assert len(GSM7_EXTENSION) == 10


@pytest.mark.parametrize(
    ("length", "segments"), [(0, 1), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3)]
)
def test_gsm7_holds_160_alone_and_153_per_part(length: int, segments: int) -> None:
    info = count("a" * length)
    assert (info.encoding, info.units, info.segments) == (GSM7, length, segments)


@pytest.mark.parametrize(
    ("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_holds_70_alone_and_67_per_part(length: int, segments: int) -> None:
    info = count("Ж" * length)
    assert (info.encoding, info.units, info.segments) == (UCS2, length, segments)


def test_danish_letters_stay_in_gsm7() -> None:
    assert count("Æblegrød på Ørestad, å!").encoding == GSM7


def test_extension_characters_cost_two_septets() -> None:
    assert count("€" * 80).units == 160
    assert count("€" * 80).segments == 1
    assert count("€" * 81).segments == 2


def test_an_escape_pair_is_not_split_between_parts() -> None:
    # 152 plain + "€" would straddle the 153 boundary: the pair moves to part two.
    text = "a" * 152 + "€" + "a" * 152
    assert count(text).units == 306
    assert count(text).segments == 3


def test_one_emoji_makes_the_whole_text_ucs2_and_counts_as_two_units() -> None:
    info = count("Hej 🙂")
    assert (info.encoding, info.units) == (UCS2, 6)
    assert count("🙂" * 35).segments == 1
    assert count("🙂" * 36).segments == 2


def test_curly_quotes_and_lowercase_c_cedilla_are_not_gsm7() -> None:
    assert not is_gsm7("“quoted”")
    assert not is_gsm7("ç")
    assert is_gsm7("Ç")


def test_cost_is_price_times_segments() -> None:
    assert count("a" * 161).cost(Decimal("0.35")) == Decimal("0.70")


@given(st.text(alphabet=sorted(GSM7_BASIC), max_size=1000))
def test_plain_gsm7_parts_never_exceed_their_room(text: str) -> None:
    info = count(text)
    assert info.encoding == GSM7
    expected = 1 if len(text) <= 160 else -(-len(text) // 153)
    assert info.segments == expected
