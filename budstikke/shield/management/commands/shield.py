"""`manage.py shield export|scan|ban|unban|revise|status`: the shield from the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from budstikke.shield import actions, firewall, geoip, networks, policy, selectors
from budstikke.shield.models import Ban
from budstikke.shield.scan import Scanner


class Command(BaseCommand):
    help = "Shield: export bans to the firewall, scan access logs, ban/unban, revise countries."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the active bans for the host firewall")
        export.add_argument("--format", choices=["nftables"], default="nftables")
        export.add_argument("--output", help="file to write (default: standard output)")
        export.add_argument("--apply", action="store_true", help="load it with `nft -f`")
        scan = sub.add_parser("scan", help="run the detectors over a combined access log")
        scan.add_argument("file", help="nginx/Apache combined log ('-' for standard input)")
        scan.add_argument("--apply", action="store_true", help="store the bans it decides")
        ban = sub.add_parser("ban", help="ban an address or network by hand")
        ban.add_argument("network")
        ban.add_argument("--hours", type=int, default=24)
        ban.add_argument("--reason", default="operator")
        unban = sub.add_parser("unban", help="lift the bans of an address or network")
        unban.add_argument("network")
        sub.add_parser("revise", help="revise the country policy now")
        sub.add_parser("status", help="GeoIP source, active bans, restricted countries")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"do_{options['action']}")
        handler(options)

    def do_export(self, options: dict[str, Any]) -> None:
        text = firewall.nftables()
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        elif not options["apply"]:
            self.stdout.write(text, ending="")
        if options["apply"]:
            nft = shutil.which("nft")
            if nft is None:
                raise CommandError("nft is not installed; install nftables or drop --apply")
            with tempfile.NamedTemporaryFile("w", suffix=".nft", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                done = subprocess.run(  # noqa: S603 - fixed binary, our own file
                    [nft, "-f", handle.name], capture_output=True, text=True, check=False
                )
            if done.returncode != 0:
                raise CommandError(f"nft -f failed (root or CAP_NET_ADMIN needed?): {done.stderr}")
            self.stdout.write("nftables updated")

    def do_scan(self, options: dict[str, Any]) -> None:
        path = options["file"]
        scanner = Scanner(allowed=selectors.allow_networks())
        started = time.perf_counter()
        try:
            if path == "-":
                result = scanner.feed(sys.stdin)
            else:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    result = scanner.feed(handle)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        elapsed = time.perf_counter() - started
        for decision in result.decisions:
            self.stdout.write(decision.describe())
            if options["apply"]:
                actions.ban(
                    decision.source,
                    scenario=decision.scenario.name,
                    reason=decision.scenario.description,
                    origin=Ban.Origin.SCAN,
                    evidence={
                        "file": Path(path).name,
                        "line": decision.line,
                        "events": decision.poured,
                    },
                    factor=decision.scenario.ban_factor,
                )
        rate = result.lines / elapsed if elapsed else 0.0
        self.stderr.write(
            f"{result.lines} lines ({result.unparsed} unreadable), "
            f"{len(result.decisions)} decisions, {elapsed:.2f}s, {rate:,.0f} lines/s"
            + (", stored" if options["apply"] and result.decisions else "")
        )

    def do_ban(self, options: dict[str, Any]) -> None:
        try:
            ban = actions.manual_ban(options["network"], options["hours"], options["reason"], None)
        except actions.ShieldError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"banned {ban.network} until {ban.expires_at.isoformat()}")

    def do_unban(self, options: dict[str, Any]) -> None:
        try:
            key = networks.network_key(networks.parse_network(options["network"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        lifted = actions.unban(key)
        self.stdout.write(f"lifted {lifted} ban(s) on {key}")

    def do_revise(self, options: dict[str, Any]) -> None:
        for change in policy.revise():
            self.stdout.write(f"{change.action} {change.country}: {change.reason}")

    def do_status(self, options: dict[str, Any]) -> None:
        source = geoip.source()
        built = source.built.isoformat() if source.built else "unknown date"
        self.stdout.write(f"GeoIP: {source.name} {source.version} ({built})")
        for ban in selectors.active_bans():
            self.stdout.write(
                f"ban {ban.network} {ban.scenario} until {ban.expires_at.isoformat()}"
            )
        for country, full in sorted(selectors.restricted_countries().items()):
            self.stdout.write(f"restricted {country}{' (full block)' if full else ''}")
