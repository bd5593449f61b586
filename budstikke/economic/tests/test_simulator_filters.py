"""The filter and sort grammar, case by case."""

from __future__ import annotations

from typing import Any

import pytest

from budstikke.economic.simulator.filters import QueryError, parse_filter, sort_records
from budstikke.economic.simulator.resources import CUSTOMER_FILTERABLE, CUSTOMER_SORTABLE

PEOPLE: list[dict[str, Any]] = [
    {"customerNumber": 1, "name": "Joe", "city": "Newport", "balance": 10},
    {"customerNumber": 2, "name": "joe", "city": "Aarhus", "balance": 50},
    {"customerNumber": 3, "name": "Ann (Nord)", "city": "Stockport", "balance": 30},
    {"customerNumber": 4, "name": "50% *off*", "city": None, "balance": 0, "barred": True},
]


def numbers(text: str) -> list[int]:
    predicate = parse_filter(text, CUSTOMER_FILTERABLE)
    return [p["customerNumber"] for p in PEOPLE if predicate(p)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name$eq:JOE", [1, 2]),
        ("name$ne:joe", [3, 4]),
        ("city$like:*port", [1, 3]),
        ("city$like:port", [1, 3]),
        ("city$like:new*", [1]),
        ("name$eq:Joe$and:(city$like:*port$or:balance$lt:40)", [1]),
        ("name$eq:Joe$or:balance$gte:30$and:balance$lte:30", [1, 2, 3]),
        ("customerNumber$in:[2,4]", [2, 4]),
        ("customerNumber$nin:[2,4]", [1, 3]),
        ("city$null:", [4]),
        ("barred$eq:true", [4]),
        ("barred$eq:false", [1, 2, 3]),
        ("name$eq:Ann $(Nord$)", [3]),
        ("name$like:$*off$*", [4]),
        ("name$like:50%", [4]),
    ],
)
def test_filters_select_what_the_api_would(text: str, expected: list[int]) -> None:
    assert numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mobilePhone$eq:1",
        "name$xx:Joe",
        "name$eq:a$b",
        "(name$eq:Joe",
        "name=Joe",
        "name$in:[1]",
        "customerNumber$in:1,2",
        "customerNumber$eq:abc",
        "customerNumber$in:[" + ",".join(str(n) for n in range(201)) + "]",
        "barred$gt:true",
        "",
    ],
)
def test_malformed_or_unsupported_filters_are_refused(text: str) -> None:
    with pytest.raises(QueryError):
        parse_filter(text, CUSTOMER_FILTERABLE)


def test_sort_descending_and_several_keys() -> None:
    ordered = sort_records(PEOPLE, "-name,customerNumber", CUSTOMER_SORTABLE)
    assert [p["customerNumber"] for p in ordered] == [1, 2, 3, 4]
    assert [p["customerNumber"] for p in sort_records(PEOPLE, "balance", CUSTOMER_SORTABLE)] == [
        4,
        1,
        3,
        2,
    ]


def test_tilde_sorts_numbers_alphabetically() -> None:
    records = [{"customerNumber": n} for n in (9, 10, 100)]
    ordered = sort_records(records, "~customerNumber", CUSTOMER_SORTABLE)
    assert [r["customerNumber"] for r in ordered] == [10, 100, 9]
