"""`make audit`: sqlmap, testssl.sh and a security-header check against a running Budstikke.

Starts the HTTPS server as `make run` does (own data directory and port, loopback only),
seeds a tenant with shipments, an API key with every scope and a signed-in admin (TOTP
enrolled, session created directly), then:

1. headers: CSP with a nonce and `frame-ancestors 'none'`, nosniff, HSTS, and cookies that
   are `__Host-`, Secure and (the session's) HttpOnly;
2. testssl.sh: only TLS 1.2 and 1.3 offered, no NULL/anonymous/export/low/3DES/obsolete
   ciphers, HSTS present, no finding rated HIGH or CRITICAL;
3. sqlmap (`--batch --level 2 --risk 1`, time-limited per target) on every API endpoint that
   takes parameters (with the API key), the signed-in pages with query parameters and a form
   POST (with the session cookie and CSRF token), and the public tracking search.

sqlmap sends injection payloads from one address, which the shield (rightly) bans within a
few requests; a ban would hide the application's answers. So the server trusts loopback as a
proxy (`TRUSTED_PROXY_CIDRS`), sqlmap's `xforwardedfor` tamper gives every request a random
client address, and loopback itself is on the operator allow-list.

Exit status 1 on any finding. `--quick` tests fewer targets (for trying the script out).

    uv run python tests/audit/run.py [--quick] [--sqlmap-minutes 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.live import LiveServer, Seeded, insecure_context  # noqa: E402

SESSION_COOKIE = "__Host-sessionid"
# sqlmap sends thousands of requests a minute; each key may make 600 (tests/audit/rotating_key.py).
KEYS = 40
CSRF_COOKIE = "__Host-csrftoken"
WEAK_CIPHER_LISTS = (
    "cipherlist_NULL",
    "cipherlist_aNULL",
    "cipherlist_EXPORT",
    "cipherlist_LOW",
    "cipherlist_3DES_IDEA",
)
# CBC suites without AEAD: "AVERAGE" in testssl.sh 3.0, "OBSOLETED" from 3.1 on.
OBSOLETE_CIPHER_LISTS = ("cipherlist_AVERAGE", "cipherlist_OBSOLETED")


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    auth: str  # "key", "session" or "none"
    data: str = ""  # a POST body; JSON when it starts with "{"
    csrf_page: str = ""  # a form page whose token the POST needs
    quick: bool = False


def targets(seeded: Seeded) -> list[Target]:
    number = seeded.tracking[0]
    return [
        Target(
            "API list shipments",
            "/api/v1/shipments?status=created&q=Mette&limit=10",
            "key",
            quick=True,
        ),
        Target("API one shipment", f"/api/v1/shipments/{number}*", "key"),
        Target(
            "API list customers",
            "/api/v1/customers?q=Cykel&state=local&tag=vip&archived=all&limit=10",
            "key",
        ),
        Target(
            "API create shipment",
            "/api/v1/shipments",
            "key",
            data=json.dumps(
                {
                    "customer_number": seeded.customer_number,
                    "recipient_name": "Mette Mogensen",
                    "recipient_phone": "20123456",
                    "delivery_address": "Vesterbrogade 10",
                    "delivery_postcode": "1620",
                    "delivery_city": "København V",
                    "reference": "ORDER-1",
                    "parcels": [{"weight_kg": "2.5"}],
                }
            ),
            quick=True,
        ),
        Target(
            "API create customer",
            "/api/v1/customers",
            "key",
            data=json.dumps({"name": "Fragt ApS", "city": "Odense", "tags": ["vip"]}),
        ),
        Target(
            "shipment list page",
            "/tenant/shipments/?status=created&q=ORDER-1&page=1",
            "session",
            quick=True,
        ),
        Target(
            "customer list page", "/tenant/customers/?q=Cykel&state=&tag=vip&archived=", "session"
        ),
        Target(
            "dispatch board",
            "/tenant/dispatch/?day=2026-01-05&status=created&zone=1620&courier=&unassigned=1",
            "session",
        ),
        Target(
            "billing report", "/tenant/billing/reports/?start=2026-01-01&end=2026-01-31", "session"
        ),
        Target(
            "new customer form",
            "/tenant/customers/new/",
            "session",
            data="csrfmiddlewaretoken=x&name=Fragt+ApS&zip=5000&city=Odense&email=ordre%40fragt.dk",
            csrf_page="/tenant/customers/new/",
        ),
        Target("public tracking search", f"/t/?number={number}&lang=da", "none", quick=True),
        Target("public tracking page", f"/t/{number}*?lang=en", "none"),
    ]


# --- headers -----------------------------------------------------------------------------


def fetch(port: int, path: str, cookie: str = "") -> tuple[int, http.client.HTTPMessage, list[str]]:
    connection = http.client.HTTPSConnection(
        "localhost", port, context=insecure_context(), timeout=20
    )
    headers = {"Cookie": cookie} if cookie else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.headers, response.headers.get_all("Set-Cookie") or []


def check_cookies(cookies: list[str]) -> list[str]:
    """Every cookie `__Host-` (so Secure, Path=/, no Domain); the session's HttpOnly."""
    findings: list[str] = []
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    if SESSION_COOKIE not in names:
        findings.append(f"no {SESSION_COOKIE} cookie was set for a signed-in request")
    if CSRF_COOKIE not in names:
        findings.append(f"no {CSRF_COOKIE} cookie was set by the login page")
    for cookie in cookies:
        name = cookie.split("=", 1)[0]
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        if not name.startswith("__Host-"):
            findings.append(f"cookie {name} lacks the __Host- prefix")
        if "secure" not in attributes:
            findings.append(f"cookie {name} is not Secure")
        if "domain" in attributes:
            findings.append(f"cookie {name} names a Domain")
        if name == SESSION_COOKIE and "httponly" not in attributes:
            findings.append(f"cookie {name} is not HttpOnly")
    return findings


def check_headers(server: LiveServer, seeded: Seeded) -> list[str]:
    findings: list[str] = []
    status, headers, anonymous_cookies = fetch(server.port, "/accounts/login/")
    signed_status, signed_headers, signed_cookies = fetch(
        server.port, "/tenant/shipments/", f"{SESSION_COOKIE}={seeded.session}"
    )
    if status != 200 or signed_status != 200:
        findings.append(f"pages answered {status} (login) and {signed_status} (signed in)")
    for label, page in (("login page", headers), ("signed-in page", signed_headers)):
        csp = page.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", csp)
        if not script_src or "'nonce-" not in script_src.group(1):
            findings.append(f"{label}: CSP script-src has no nonce: {csp!r}")
        if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
            findings.append(f"{label}: CSP allows unsafe-inline/eval: {csp!r}")
        if "frame-ancestors 'none'" not in csp:
            findings.append(f"{label}: CSP lacks frame-ancestors 'none'")
        if page.get("X-Content-Type-Options", "").lower() != "nosniff":
            findings.append(f"{label}: X-Content-Type-Options is not nosniff")
        if "max-age=" not in page.get("Strict-Transport-Security", ""):
            findings.append(f"{label}: no Strict-Transport-Security")
    cookies = anonymous_cookies + signed_cookies
    findings += check_cookies(cookies)
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    print(f"headers: login page {status}, signed-in page {signed_status}; cookies {sorted(names)}")
    print(f"  CSP: {signed_headers.get('Content-Security-Policy', '')}")
    print(f"  HSTS: {signed_headers.get('Strict-Transport-Security', '')}")
    return findings


# --- testssl.sh --------------------------------------------------------------------------


def check_tls(server: LiveServer, workdir: Path, minutes: float) -> list[str]:
    report = workdir / "testssl.json"
    argv = [
        shutil.which("testssl") or shutil.which("testssl.sh") or "testssl",
        "--quiet",
        "--color",
        "0",
        "--warnings",
        "batch",
        "--openssl-timeout",
        "5",
        "--protocols",
        "--std",
        "--fs",
        "--headers",
        "--jsonfile",
        str(report),
        f"localhost:{server.port}",
    ]
    started = time.monotonic()
    try:
        subprocess.run(argv, capture_output=True, timeout=minutes * 60, check=False)
    except subprocess.TimeoutExpired:
        return [f"testssl.sh did not finish within {minutes:.0f} min"]
    if not report.exists():
        return ["testssl.sh wrote no report"]
    entries = {item["id"]: item for item in json.loads(report.read_text())}
    findings: list[str] = []

    def finding(key: str) -> str:
        return str(entries.get(key, {}).get("finding", "(not reported)"))

    offered = [
        key
        for key in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3")
        if finding(key).startswith("offered")
    ]
    if offered != ["TLS1_2", "TLS1_3"]:
        findings.append(f"protocols offered: {offered} (want TLS1_2 and TLS1_3 only)")
    weak = [*WEAK_CIPHER_LISTS, *(key for key in OBSOLETE_CIPHER_LISTS if key in entries)]
    if not any(key in entries for key in OBSOLETE_CIPHER_LISTS):
        findings.append("testssl.sh reported no obsolete-cipher list")
    for key in weak:
        if not finding(key).startswith("not offered"):
            findings.append(f"{key}: {finding(key)}")
    hsts = entries.get("HSTS_time", entries.get("HSTS", {}))
    if hsts.get("severity") != "OK":
        findings.append(f"HSTS: {hsts.get('finding', '(not reported)')}")
    for item in entries.values():
        if item.get("severity") in ("HIGH", "CRITICAL"):
            findings.append(f"testssl {item['id']} {item['severity']}: {item.get('finding')}")
    print(
        f"testssl.sh: protocols {', '.join(offered)}; weak cipher lists "
        f"{sum(finding(k).startswith('not offered') for k in weak)}/{len(weak)} not offered "
        f"({', '.join(k.removeprefix('cipherlist_') for k in weak)}); "
        f"forward secrecy {finding('PFS')}; HSTS {hsts.get('finding')!r}; "
        f"{time.monotonic() - started:.0f} s"
    )
    return findings


# --- sqlmap ------------------------------------------------------------------------------

# sqlmap's line for each parameter it actually tests (skipped ones are only mentioned).
_PARAMETER = re.compile(
    r"testing for SQL injection on (GET|POST|URI|\(custom\) POST) parameter '([^']+)'"
)


def sqlmap(
    server: LiveServer, seeded: Seeded, target: Target, workdir: Path, minutes: float
) -> tuple[list[str], set[str], str]:
    """(findings, parameters tested, outcome) for one target."""
    url = f"{server.url}{target.path}"
    argv = [
        shutil.which("sqlmap") or "sqlmap",
        "-u",
        url,
        "--batch",
        "--level",
        "2",
        "--risk",
        "2",
        "--timeout",
        "15",
        "--retries",
        "1",
        "--time-sec",
        "2",
        "--tamper",
        "xforwardedfor",
        "--output-dir",
        str(workdir / "sqlmap"),
        "--flush-session",
        "--disable-coloring",
        "--skip",
        f"{SESSION_COOKIE},{CSRF_COOKIE},csrfmiddlewaretoken",
    ]
    if target.auth == "key":
        argv += ["--headers", f"Authorization: Bearer {seeded.keys[0]}"]
        argv[argv.index("xforwardedfor")] = (
            f"xforwardedfor,{Path(__file__).with_name('rotating_key.py')}"
        )
    if target.auth == "session":
        argv += ["--cookie", f"{SESSION_COOKIE}={seeded.session}", "--referer", url]
    if target.data:
        argv += ["--data", target.data]
    if target.csrf_page:
        argv += ["--csrf-token", "csrfmiddlewaretoken", "--csrf-url", server.url + target.csrf_page]
    environ = os.environ | {"BUDSTIKKE_AUDIT_KEYS": ",".join(seeded.keys)}
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=minutes * 60, check=False, env=environ
        )
        output, outcome = done.stdout + done.stderr, f"exit {done.returncode}"
    except subprocess.TimeoutExpired as stopped:
        raw = stopped.stdout or b""
        output = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
        outcome = f"stopped after {minutes:.0f} min"
    log = workdir / f"sqlmap-{quote(target.name, safe='')}.log"
    log.write_text(output)
    tested = {f"{kind} {name}" for kind, name in _PARAMETER.findall(output)}
    findings = []
    if "identified the following injection point" in output or " is vulnerable" in output:
        findings.append(f"sqlmap: {target.name} is injectable (see {log})")
    throttled = re.search(r"429 \(Too Many Requests\) - (\d+) times", output)
    if throttled:
        findings.append(f"sqlmap: {target.name}: {throttled.group(1)} answers were 429 (see {log})")
    if "do not appear to be injectable" in output:
        outcome = "no injectable parameter"
    elif not findings:
        findings.append(f"sqlmap: {target.name} ended without a verdict ({outcome}; see {log})")
    return findings, tested, outcome


def check_target_answers(server: LiveServer, seeded: Seeded, target: Target) -> str | None:
    """sqlmap on a page that answers 302 to the login would test the login page instead."""
    if target.data:
        return None
    cookie = f"{SESSION_COOKIE}={seeded.session}" if target.auth == "session" else ""
    connection = http.client.HTTPSConnection(
        "localhost", server.port, context=insecure_context(), timeout=20
    )
    headers = {"Cookie": cookie} if cookie else {}
    if target.auth == "key":
        headers["Authorization"] = f"Bearer {seeded.keys[0]}"
    connection.request("GET", target.path.replace("*", ""), headers=headers)
    status = connection.getresponse().status
    connection.close()
    # The public search redirects to the number's page; a signed-in page must not redirect.
    expected = (200, 302) if target.auth == "none" else (200,)
    if status in expected:
        return None
    return f"{target.name}: the unmodified request answered {status}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only a few sqlmap targets")
    parser.add_argument("--sqlmap-minutes", type=float, default=4.0, help="per target")
    parser.add_argument("--testssl-minutes", type=float, default=8.0)
    parser.add_argument("--logs", type=Path, help="keep sqlmap's and testssl.sh's output here")
    args = parser.parse_args()
    started = time.monotonic()
    env = {
        "SHIELD_ALLOW_CIDRS": "127.0.0.1/32,::1/128",
        "TRUSTED_PROXY_CIDRS": "127.0.0.1/32,::1/128",
        "BUDSTIKKE_WEB_WORKERS": "2",
    }
    findings: list[str] = []
    rows: list[tuple[str, str, str]] = []
    with (
        LiveServer("audit", env=env) as server,
        tempfile.TemporaryDirectory(prefix="budstikke-audit-") as tmp,
    ):
        workdir = Path(tmp)
        seeded = server.seed(keys=KEYS, shipments=3, user=True)
        server.start()
        findings += check_headers(server, seeded)
        findings += check_tls(server, workdir, args.testssl_minutes)
        chosen = [t for t in targets(seeded) if t.quick or not args.quick]
        total_tested = 0
        for target in chosen:
            problem = check_target_answers(server, seeded, target)
            if problem:
                findings.append(problem)
                continue
            t0 = time.monotonic()
            found, tested, outcome = sqlmap(server, seeded, target, workdir, args.sqlmap_minutes)
            findings += found
            total_tested += len(tested)
            parameters = ", ".join(sorted(tested)) or "-"
            rows.append((target.name, parameters, outcome))
            print(
                f"sqlmap: {target.name}: {outcome} ({len(tested)} parameters: {parameters}; "
                f"{time.monotonic() - t0:.0f} s)",
                flush=True,
            )
        if args.logs:
            shutil.copytree(workdir, args.logs, dirs_exist_ok=True)
        if findings:
            kept = Path(tempfile.mkdtemp(prefix="budstikke-audit-logs-"))
            shutil.copytree(workdir, kept, dirs_exist_ok=True)
            findings = [f.replace(str(workdir), str(kept)) for f in findings]
        tracebacks = server.log.read_text(errors="replace").count("Traceback")
    if tracebacks:
        findings.append(f"the server logged {tracebacks} tracebacks")
    print()
    print("== make audit ==")
    print(f"sqlmap targets:          {len(rows)}, parameters tested: {total_tested}")
    injectable = sum(1 for f in findings if "is injectable" in f)
    print(f"injectable parameters:   {injectable}")
    print(f"server tracebacks:       {tracebacks}")
    print(f"time:                    {time.monotonic() - started:.0f} s")
    for item in findings:
        print(f"  FINDING: {item}")
    print("result:                  " + ("PASS" if not findings else "FAIL"))
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
