"""The cheap path checks never let a listed signature or exploit path through."""

from __future__ import annotations

import pytest

from budstikke.shield import classify


@pytest.mark.parametrize("signature", classify.injection_signatures())
def test_every_injection_signature_is_caught_in_a_path(signature: str) -> None:
    assert classify.has_injection(f"/search/{signature}x", "")
    assert classify.has_injection("/search", f"q={signature}")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/static/budstikke/app.css",
        "/t/BS12345678",
        "/accounts/login/",
        "/.well-known/security.txt",
    ],
)
def test_ordinary_paths_are_neither_probes_nor_injections(path: str) -> None:
    assert not classify.is_exploit_path(path)
    assert not classify.has_injection(path, "page=2&sort=name")


@pytest.mark.parametrize(
    "path",
    ["/.env", "/x/.git/config", "/WP-LOGIN.PHP", "/phpMyAdmin/", "/shell.aspx", "/cgi-bin/x"],
)
def test_exploit_paths_are_recognised_in_any_case(path: str) -> None:
    assert classify.is_exploit_path(path)


def test_double_encoded_traversal_is_caught() -> None:
    assert classify.has_injection("/files/%2e%2e%2fetc%2fpasswd", "")
