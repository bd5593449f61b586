"""Three-way merge: properties that must hold for any edits on either side."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from budstikke.economic.merge import (
    ECONOMIC_OWNED,
    MAPPED,
    TWO_WAY,
    Policy,
    Reason,
    Side,
    canonical_json,
    from_economic,
    merge,
    snapshot_hash,
    to_economic,
)

FIELDS = sorted(MAPPED)
OWN_FIELDS = ["pickupInstructions", "tags", "notes"]


def _value(name: str) -> st.SearchStrategy[Any]:
    if name == "barred":
        return st.sampled_from([None, True])
    if name in ("paymentTerms", "vatZone", "customerGroup"):
        return st.sampled_from([None, 1, 2])
    if name == "creditLimit":
        return st.sampled_from([None, 0, 1000, 2500.5])
    return st.sampled_from([None, "a", "b", "Å c"])


records = st.fixed_dictionaries({}, optional={name: _value(name) for name in FIELDS})
own = st.fixed_dictionaries({}, optional={name: st.text(max_size=5) for name in OWN_FIELDS})
policies = st.sampled_from(list(Policy))


def _get(record: dict[str, Any], name: str) -> Any:
    return record.get(name)


@settings(max_examples=300)
@given(base=records, economic=records, budstikke=records, extra=own, policy=policies)
def test_both_sides_end_equal_on_every_mapped_field(
    base: dict[str, Any],
    economic: dict[str, Any],
    budstikke: dict[str, Any],
    extra: dict[str, Any],
    policy: Policy,
) -> None:
    result = merge(base, economic, budstikke | extra, policy=policy)
    assert {k: v for k, v in result.budstikke.items() if k in MAPPED} == result.economic
    assert canonical_json(result.economic) == canonical_json(result.base)


@settings(max_examples=300)
@given(base=records, economic=records, budstikke=records, extra=own, policy=policies)
def test_no_edit_is_lost_except_as_a_conflict(
    base: dict[str, Any],
    economic: dict[str, Any],
    budstikke: dict[str, Any],
    extra: dict[str, Any],
    policy: Policy,
) -> None:
    result = merge(base, economic, budstikke | extra, policy=policy)
    conflicts = {c.field: c for c in result.conflicts}
    for name in FIELDS:
        final = _get(result.economic, name)
        for side, record in ((Side.ECONOMIC, economic), (Side.BUDSTIKKE, budstikke)):
            edited = _get(record, name) != _get(base, name)
            if edited and final != _get(record, name):
                assert name in conflicts, f"{side} edit of {name} lost silently"
                assert conflicts[name].lost_value == _get(record, name)


@settings(max_examples=200)
@given(base=records, economic=records, budstikke=records, policy=policies)
def test_the_same_change_on_both_sides_is_no_conflict(
    base: dict[str, Any], economic: dict[str, Any], budstikke: dict[str, Any], policy: Policy
) -> None:
    same = {**budstikke, **economic}
    result = merge(base, same, same, policy=policy)
    assert result.conflicts == ()
    assert result.push == {}
    assert result.pull == {}


@settings(max_examples=200)
@given(base=records, economic=records, budstikke=records, policy=policies)
def test_e_conomic_always_wins_the_fields_it_owns(
    base: dict[str, Any], economic: dict[str, Any], budstikke: dict[str, Any], policy: Policy
) -> None:
    result = merge(base, economic, budstikke, policy=policy)
    for name in ECONOMIC_OWNED:
        assert _get(result.economic, name) == _get(economic, name)
        assert name not in result.push
    for conflict in result.conflicts:
        if conflict.field in ECONOMIC_OWNED:
            assert conflict.reason is Reason.OWNERSHIP
            assert conflict.winner is Side.ECONOMIC


@settings(max_examples=200)
@given(base=records, economic=records, budstikke=records)
def test_the_policy_decides_real_conflicts_on_contact_fields(
    base: dict[str, Any], economic: dict[str, Any], budstikke: dict[str, Any]
) -> None:
    ours = merge(base, economic, budstikke, policy=Policy.BUDSTIKKE_WINS)
    theirs = merge(base, economic, budstikke, policy=Policy.ECONOMIC_WINS)
    for conflict in ours.conflicts:
        if conflict.field in TWO_WAY:
            assert conflict.winner is Side.BUDSTIKKE
            assert _get(ours.economic, conflict.field) == conflict.budstikke
    for conflict in theirs.conflicts:
        assert conflict.winner is Side.ECONOMIC


@settings(max_examples=200)
@given(base=records, economic=records, budstikke=records, extra=own, policy=policies)
def test_budstikke_only_fields_never_go_to_e_conomic(
    base: dict[str, Any],
    economic: dict[str, Any],
    budstikke: dict[str, Any],
    extra: dict[str, Any],
    policy: Policy,
) -> None:
    result = merge(base, economic, budstikke | extra, policy=policy)
    assert set(result.push) <= MAPPED
    assert set(result.economic) <= MAPPED
    assert {k: v for k, v in result.budstikke.items() if k in OWN_FIELDS} == extra
    body = to_economic({"customerNumber": 7, "vatNumber": "DK1"}, result.budstikke)
    assert not set(body) & set(OWN_FIELDS)
    assert body["vatNumber"] == "DK1"


@settings(max_examples=200)
@given(base=records, economic=records, budstikke=records, policy=policies)
def test_merging_the_result_again_changes_nothing(
    base: dict[str, Any], economic: dict[str, Any], budstikke: dict[str, Any], policy: Policy
) -> None:
    first = merge(base, economic, budstikke, policy=policy)
    again = merge(first.base, first.economic, first.budstikke, policy=policy)
    assert again.push == again.pull == {}
    assert again.conflicts == ()


def test_a_one_sided_change_flows_to_the_other_side() -> None:
    base = {"name": "Fragt ApS", "city": "Odense C"}
    result = merge(base, base, {"name": "Fragt ApS", "city": "Vejle"})
    assert result.push == {"city": "Vejle"}
    assert result.pull == {}
    assert result.conflicts == ()


def test_a_real_conflict_keeps_the_losing_value() -> None:
    base = {"email": "old@fragt.dk"}
    result = merge(base, {"email": "eco@fragt.dk"}, {"email": "bud@fragt.dk"})
    assert result.economic == {"email": "eco@fragt.dk"}
    assert result.pull == {"email": "eco@fragt.dk"}
    (conflict,) = result.conflicts
    assert conflict.lost_value == "bud@fragt.dk"
    assert conflict.reason is Reason.POLICY


def test_hash_ignores_form_and_notices_content() -> None:
    api = {
        "name": "Fragt ApS",
        "vatZone": {"vatZoneNumber": 1, "self": "https://restapi.e-conomic.com/vat-zones/1"},
        "creditLimit": 1000.0,
        "barred": False,
        "email": "",
        "balance": 12.5,
    }
    mapped = from_economic(api)
    assert mapped == {"name": "Fragt ApS", "vatZone": 1, "creditLimit": 1000}
    assert snapshot_hash(mapped) == snapshot_hash(
        {"creditLimit": 1000, "vatZone": 1, "name": "Fragt ApS"}
    )
    assert snapshot_hash(mapped) != snapshot_hash(mapped | {"name": "Fragt A/S"})


def test_to_economic_writes_references_as_number_objects() -> None:
    body = to_economic({"customerNumber": 3, "name": "x"}, {"name": "y", "paymentTerms": 2})
    assert body == {"customerNumber": 3, "name": "y", "paymentTerms": {"paymentTermsNumber": 2}}
