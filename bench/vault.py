"""Cost of encryption on a list page: 100 rows with 6 encrypted fields, read in full,
as a ratio to the same list unencrypted (goal: at most 1.2x).

Both sides run the same queryset (`for_tenant(tenant)[:100]`) through the same template;
they differ only in the model: plain CharField/TextField columns, or the same columns
encrypted (plus the `seal_id` every encrypted row carries). Rounds alternate between the
two sides, so a busy machine slows both alike; each side's figure is the best of 3
medians of 300 rounds.

Runs against its own temporary SQLite database and keys directory:
    uv run python bench/vault.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROWS = 100
ROUNDS = 300
GOAL = 1.2


def main() -> None:  # noqa: PLR0915 - one linear script
    workdir = Path(tempfile.mkdtemp(prefix="budstikke-bench-vault-"))
    os.environ["BUDSTIKKE_DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "budstikke.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, models

    from bench.report import result
    from budstikke.core.tenancy import TenantOwned
    from budstikke.tenants.models import Tenant
    from budstikke.vault import keys
    from budstikke.vault.fields import EncryptedCharField, EncryptedTextField
    from budstikke.vault.models import EncryptedModel

    class PlainRecipient(TenantOwned):
        name = models.CharField(max_length=200)
        email = models.CharField(max_length=254)
        phone = models.CharField(max_length=40)
        street = models.CharField(max_length=200)
        city = models.CharField(max_length=100)
        notes = models.TextField()

        class Meta:
            app_label = "vault"

    class SealedRecipient(EncryptedModel):
        name = EncryptedCharField(max_length=200)
        email = EncryptedCharField(max_length=254)
        phone = EncryptedCharField(max_length=40)
        street = EncryptedCharField(max_length=200)
        city = EncryptedCharField(max_length=100)
        notes = EncryptedTextField()

        class Meta:
            app_label = "vault"

    call_command("migrate", verbosity=0)
    with connection.schema_editor() as editor:
        editor.create_model(PlainRecipient)
        editor.create_model(SealedRecipient)
    tenant = Tenant.objects.create(name="Bench Kurer ApS", slug="bench")
    names = ("name", "email", "phone", "street", "city", "notes")
    for n in range(ROWS):
        values = {
            "name": f"Modtager nummer {n}",
            "email": f"modtager{n}@example.dk",
            "phone": f"+45 20 {n:02d} 30 40",
            "street": f"Nørregade {n}, 3. th.",
            "city": "8000 Aarhus C",
            "notes": "Stil pakken ved bagdøren, hunden er venlig." * 2,
        }
        PlainRecipient.objects.create(tenant=tenant, **values)
        SealedRecipient.objects.create(tenant=tenant, **values)

    from django.template import Context, Template

    page = Template(
        "<table>{% for r in rows %}<tr><td>{{ r.name }}</td><td>{{ r.email }}</td>"
        "<td>{{ r.phone }}</td><td>{{ r.street }}</td><td>{{ r.city }}</td>"
        "<td>{{ r.notes|truncatechars:40 }}</td></tr>{% endfor %}</table>"
    )

    def orm_only(model: type[models.Model]) -> Callable[[], int]:
        def run() -> int:
            total = 0
            for row in model.objects.for_tenant(tenant)[:ROWS]:  # type: ignore[attr-defined]
                for name in names:
                    total += len(getattr(row, name))
            return total

        return run

    def list_page(model: type[models.Model]) -> Callable[[], int]:
        def run() -> int:
            rows = model.objects.for_tenant(tenant)[:ROWS]  # type: ignore[attr-defined]
            return len(page.render(Context({"rows": rows})))

        return run

    def measure(plain: Callable[[], int], sealed: Callable[[], int]) -> tuple[float, float]:
        """Medians of ROUNDS rounds, alternating the sides round by round."""
        samples: tuple[list[float], list[float]] = ([], [])
        for _ in range(ROUNDS):
            for side, run in zip(samples, (plain, sealed), strict=True):
                started = time.perf_counter()
                run()
                side.append(time.perf_counter() - started)
        return statistics.median(samples[0]), statistics.median(samples[1])

    def compare(
        label: str, make: Callable[[type[models.Model]], Callable[[], int]]
    ) -> tuple[float, float]:
        plain, sealed = make(PlainRecipient), make(SealedRecipient)
        assert plain() == sealed()
        blocks = [measure(plain, sealed) for _ in range(3)]
        plain_s = min(b[0] for b in blocks)
        sealed_s = min(b[1] for b in blocks)
        ratio = sealed_s / plain_s
        print(f"{label}:")
        print(f"  unencrypted {plain_s * 1000:7.3f} ms   encrypted {sealed_s * 1000:7.3f} ms")
        print(f"  ratio {ratio:5.2f}x   extra per row {(sealed_s - plain_s) / ROWS * 1e6:5.1f} us")
        return plain_s, sealed_s

    print(f"{ROWS} rows x 6 encrypted fields; best of 3 medians of {ROUNDS} rounds")
    page_plain, page_sealed = compare("list page (query + template render)", list_page)
    orm_plain, orm_sealed = compare("ORM only (query + read 6 attributes per row)", orm_only)
    keys.reset()
    started = time.perf_counter()
    list_page(SealedRecipient)()
    cold = time.perf_counter() - started
    print(f"first list page after a cold key cache (keyring read + unwrap): {cold * 1000:.3f} ms")
    page_ratio = page_sealed / page_plain
    verdict = "met" if page_ratio <= GOAL else "NOT met"
    print(f"goal: list page <= {GOAL}x -> {page_ratio:.2f}x, {verdict}")
    result(
        "vault",
        f"list page, {ROWS} rows x 6 encrypted fields",
        page_sealed * 1000,
        unit="ms",
        baseline=page_plain * 1000,
        goal=f"<= {GOAL}x",
        met=page_ratio <= GOAL,
    )
    result(
        "vault",
        f"ORM only, {ROWS} rows x 6 encrypted fields read",
        orm_sealed * 1000,
        unit="ms",
        baseline=orm_plain * 1000,
    )
    result("vault", "first list page, cold key cache", cold * 1000, unit="ms")


if __name__ == "__main__":
    main()
