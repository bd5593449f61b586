"""`manage.py economic_simulator --port 8600`: the local e-conomic on loopback HTTP."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from budstikke.economic.simulator import DEFAULT_AGREEMENT, SIMULATOR_APP_PUBLIC, Simulator
from budstikke.economic.simulator.server import deliver_webhooks_forever, make_simulator_server
from budstikke.economic.simulator.store import SIMULATOR_APP_SECRET, seed_customers


class Command(BaseCommand):
    help = "Serve the e-conomic simulator (REST API, grant page, web hooks, fault injection)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8600)
        parser.add_argument(
            "--bind", default="127.0.0.1", help="listen address (loopback unless you mean it)"
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="create this many customers in the agreement"
        )
        parser.add_argument(
            "--grant-token",
            default=None,
            help="also accept this grant token for the default agreement (e.g. for the demo)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        simulator = Simulator()
        store = simulator.store
        secret, public = settings.ECONOMIC_APP_SECRET_TOKEN, settings.ECONOMIC_APP_PUBLIC_TOKEN
        if secret and public:
            store.register_app(secret, public)
        if options["grant_token"]:
            store.grant(secret or SIMULATOR_APP_SECRET, DEFAULT_AGREEMENT, options["grant_token"])
        if options["seed"]:
            seed_customers(store, DEFAULT_AGREEMENT, options["seed"])
        try:
            server = make_simulator_server(simulator, options["bind"], options["port"])
        except OSError as exc:
            raise CommandError(
                f"cannot listen on {options['bind']}:{options['port']}: {exc}"
            ) from exc
        stop = threading.Event()
        hooks = threading.Thread(
            target=deliver_webhooks_forever, args=(simulator, stop), daemon=True
        )
        hooks.start()
        host, port = str(server.server_address[0]), server.server_address[1]
        self.stdout.write(
            f"e-conomic simulator listening on http://{host}:{port}/ "
            f"(app public token {public or SIMULATOR_APP_PUBLIC}; "
            f"demo tokens 'demo'/'demo' read only; agreement {DEFAULT_AGREEMENT})",
        )
        self.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.server_close()
