from __future__ import annotations

from pathlib import Path

import pytest

from budstikke.core import env


def test_a_boolean_that_is_not_true_or_false_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(env.EnvError, match="SOME_FLAG='ture' is not a boolean"):
        env.boolean("SOME_FLAG", False)


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("False", False), ("1", True)])
def test_booleans_are_read(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env.boolean("SOME_FLAG", not expected) is expected


def test_secrets_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-value\n")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    assert env.string("SOME_SECRET") == "s3cr3t-value"


def test_value_and_file_together_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOME_SECRET", "a")
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "b"))
    with pytest.raises(env.EnvError, match="both set"):
        env.string("SOME_SECRET")


def test_an_unreadable_secret_file_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(env.EnvError, match="cannot be read"):
        env.string("SOME_SECRET")


def test_a_required_value_that_is_missing_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOME_REQUIRED", raising=False)
    with pytest.raises(env.EnvError, match="SOME_REQUIRED is required"):
        env.string("SOME_REQUIRED")


def test_numbers_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_PORT", "80a")
    with pytest.raises(env.EnvError, match="not a whole number"):
        env.integer("SOME_PORT", 1)
    monkeypatch.setenv("SOME_PORT", "70000")
    with pytest.raises(env.EnvError, match="above the maximum"):
        env.integer("SOME_PORT", 1, maximum=65535)


def test_choices_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_MODE", "staging")
    with pytest.raises(env.EnvError, match="must be one of: embedded, production"):
        env.choice("SOME_MODE", "embedded", ("embedded", "production"))


def test_times_of_day_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_TIMES", "02:00, 14:30")
    assert env.clock_times("SOME_TIMES", []) == [(2, 0), (14, 30)]
    monkeypatch.setenv("SOME_TIMES", "25:00")
    with pytest.raises(env.EnvError, match="not a time like 02:00"):
        env.clock_times("SOME_TIMES", [])


def test_a_span_of_the_day_may_pass_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_SPAN", "21:00-08:00")
    assert env.clock_range("SOME_SPAN", "") == ((21, 0), (8, 0))
    monkeypatch.setenv("SOME_SPAN", "21:00")
    with pytest.raises(env.EnvError, match="not a range"):
        env.clock_range("SOME_SPAN", "")
