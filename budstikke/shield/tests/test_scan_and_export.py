"""`shield scan` runs the same detectors over access logs and takes the address only from
the first field; `shield export` writes an nftables set with timeouts; the security log
line cannot be forged into naming another address."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from budstikke.shield import actions, seclog, selectors
from budstikke.shield.models import Ban

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _line(
    ip: str, second: int, path: str, status: int, *, method: str = "GET", ua: str = ""
) -> str:
    return (
        f"{ip} - - [24/Nov/2026:10:{second // 60:02d}:{second % 60:02d} +0000] "
        f'"{method} {path} HTTP/1.1" {status} 512 "https://example.test/" "{ua or "Mozilla/5.0"}"\n'
    )


def _log(tmp_path: Path) -> Path:
    lines = []
    for n in range(12):
        lines.append(_line("198.51.100.60", n, "/", 200))
        lines.append(_line("198.51.100.60", n, f"/missing-{n}", 404))
    probes = ["/.env", "/wp-login.php", "/.git/HEAD", "/phpmyadmin/", "/x.php", "/cgi-bin/a"]
    for n, path in enumerate(probes):
        # The user agent and the request both name an innocent address.
        lines.append(
            _line("203.0.113.70", n, path + "?u=x+from+203.0.113.9", 404, ua="203.0.113.9")
        )
    for n in range(10):
        lines.append(_line("2001:db8:5::1", n, "/accounts/login/", 200, method="POST"))
    lines.append("garbage that is not a log line\n")
    log = tmp_path / "access.log"
    log.write_text("".join(lines), encoding="utf-8")
    return log


def test_scan_prints_decisions_and_bans_only_the_first_field(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("shield", "scan", str(_log(tmp_path)), stdout=out, stderr=err)
    printed = out.getvalue()
    assert "ban 203.0.113.70 scenario=exploit-probe" in printed
    assert "ban 2001:db8:5::/64 scenario=password-bruteforce" in printed
    assert "203.0.113.9 " not in printed
    assert "198.51.100.60" not in printed
    assert "1 unreadable" in err.getvalue()
    assert not Ban.objects.exists()  # printing only, without --apply


def test_scan_apply_stores_the_decisions(tmp_path: Path) -> None:
    call_command(
        "shield", "scan", str(_log(tmp_path)), "--apply", stdout=io.StringIO(), stderr=io.StringIO()
    )
    stored = set(Ban.objects.values_list("network", "origin"))
    assert stored == {("203.0.113.70", "scan"), ("2001:db8:5::/64", "scan")}


def test_scan_of_a_missing_file_is_a_clear_error() -> None:
    with pytest.raises(Exception, match="cannot read"):
        call_command("shield", "scan", "/nonexistent/access.log", stdout=io.StringIO())


def test_export_writes_a_timed_nftables_set(clock: Any) -> None:
    actions.manual_ban("203.0.113.80", 2, "test", None)
    actions.manual_ban("2001:db8:9::1", 1, "test", None)
    clock.advance(timedelta(minutes=30))
    out = io.StringIO()
    call_command("shield", "export", "--format", "nftables", stdout=out)
    text = out.getvalue()
    assert "add set inet budstikke banned4 { type ipv4_addr; flags interval, timeout; }" in text
    assert "add element inet budstikke banned4 { 203.0.113.80/32 timeout 5400s }" in text
    assert "add element inet budstikke banned6 { 2001:db8:9::/64 timeout 1800s }" in text
    assert "ip saddr @banned4 drop" in text


def _failregex() -> re.Pattern[str]:
    conf = (ROOT / "contrib/fail2ban/filter.d/budstikke.conf").read_text(encoding="utf-8")
    pattern = next(line for line in conf.splitlines() if line.startswith("failregex"))
    pattern = pattern.split("=", 1)[1].strip().replace("<ADDR>", r"(?P<addr>[0-9a-fA-F:.]+)")
    return re.compile(pattern)


def test_the_fail2ban_filter_takes_the_address_never_the_path(caplog: Any) -> None:
    caplog.set_level("INFO", logger="budstikke.security")
    seclog.event(
        "login_failed", "192.0.2.7", "", '/x" ip=203.0.113.9 country=DE path="\n203.0.113.9', None
    )
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 1
    assert "\n" not in lines[0]
    match = _failregex().search(lines[0])
    assert match is not None
    assert match.group("addr") == "192.0.2.7"
    assert json.loads(lines[0].split(" path=", 1)[1]).endswith("203.0.113.9")
    assert selectors.active_ban_for("203.0.113.9") is None


def _as_fail2ban_sees_it(line: str) -> str:
    """fail2ban cuts the date its datepattern finds out of a line before failregex runs."""
    date = re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line)
    assert date is not None
    return line[: date.start()] + line[date.end() :]


def test_the_fail2ban_filter_matches_the_line_without_its_date(caplog: Any) -> None:
    caplog.set_level("INFO", logger="budstikke.security")
    seclog.event("exploit_probe", "2001:db8::7", "", "/.env", None)
    match = _failregex().search(_as_fail2ban_sees_it(caplog.records[0].getMessage()))
    assert match is not None
    assert match.group("addr") == "2001:db8::7"


@pytest.mark.skipif(
    shutil.which("fail2ban-regex") is None and os.environ.get("CI") != "true",
    reason="needs Debian's fail2ban (make test installs it; in CI its absence fails)",
)
def test_fail2ban_regex_bans_the_logged_address_only(tmp_path: Path, caplog: Any) -> None:
    caplog.set_level("INFO", logger="budstikke.security")
    seclog.event("login_failed", "192.0.2.7", "DE", '/x" ip=203.0.113.9 country=DE path="', None)
    seclog.event("injection", "198.51.100.4", "", "/?q=union+select", None)
    log = tmp_path / "security.log"
    log.write_text("".join(r.getMessage() + "\n" for r in caplog.records), encoding="utf-8")
    done = subprocess.run(
        [
            str(shutil.which("fail2ban-regex")),
            "--verbose",
            str(log),
            str(ROOT / "contrib/fail2ban/filter.d/budstikke.conf"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "Lines: 2 lines, 0 ignored, 2 matched, 0 missed" in done.stdout
    found = done.stdout.split("Failregex:")[1].split("Ignoreregex:")[0]  # the matched addresses
    assert "192.0.2.7 " in found
    assert "198.51.100.4 " in found
    assert "203.0.113.9" not in found
