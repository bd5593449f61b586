from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_plain_http_is_redirected_to_https() -> None:
    response = Client().get("/", secure=False)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_every_page_carries_the_security_headers(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp


def test_scripts_run_only_with_the_response_nonce(client: Any) -> None:
    response = client.get("/")
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts, "the page has scripts to protect"
    assert all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts)
    assert client.get("/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def test_cookies_are_host_prefixed_secure_and_lax(client: Any) -> None:
    response = client.get("/")
    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_pages_speak_danish_and_english(client: Any) -> None:
    danish = client.get("/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Courier management you can trust" in english
    assert "Courier management you can trust" not in danish
    assert 'lang="da"' in danish
