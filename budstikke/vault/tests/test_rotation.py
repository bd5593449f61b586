from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from budstikke.core.clock import ClockControl
from budstikke.tenants.models import Tenant
from budstikke.vault import envelope, keyring, keys, rotation
from budstikke.vault.errors import KeyVersionUnavailable
from budstikke.vault.fields import Ciphertext
from tests.specimens.models import Contact, Note


def _versions(tenant: Tenant) -> set[int]:
    """Key versions of every ciphertext the tenant's rows hold, read from the headers."""
    found = set()
    for model, names in ((Contact, ("sealed", "signature")), (Note, ("sealed",))):
        for row in model.objects.for_tenant(tenant).values_list(*names):
            for value in row:
                if isinstance(value, Ciphertext):
                    found.add(value.version)
                elif value is not None:
                    found.add(envelope.key_version(bytes(value)))
    return found


def _in_thread(work: Callable[[], None], errors: list[BaseException]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    return run


@pytest.mark.django_db(transaction=True)
def test_it_rotates_while_readers_and_writers_run(
    database_file: Path | None, alice_co: Tenant, clock: type[ClockControl]
) -> None:
    for n in range(120):
        Contact.objects.create(
            tenant=alice_co,
            name=f"Kunde {n}",
            email=f"kunde{n}@example.dk",
            notes="bagdør",
            address={"n": n},
            signature=b"PNG %d" % n,
        )
    Note.objects.create(tenant=alice_co, body="note")
    stop = threading.Event()
    errors: list[BaseException] = []
    reads = [0]
    writes = [0]

    def reader() -> None:
        while not stop.is_set():
            for contact in Contact.objects.for_tenant(alice_co).order_by("?")[:20]:
                assert contact.name.startswith("Kunde")
                assert contact.email.endswith("@example.dk")
                assert contact.notes == "bagdør"
                reads[0] += 1
            assert Contact.objects.for_tenant(alice_co).find(email="kunde7@example.dk")

    def writer() -> None:
        n = 1000
        while not stop.is_set():
            Contact.objects.create(
                tenant=alice_co, name=f"Kunde {n}", email=f"kunde{n}@example.dk", notes="bagdør"
            )
            contact = Contact.objects.for_tenant(alice_co).order_by("?").first()
            assert contact is not None
            contact.name = contact.name + "!"
            contact.save(update_fields=["name"])
            writes[0] += 2
            n += 1

    threads = [
        threading.Thread(target=_in_thread(work, errors)) for work in (reader, reader, writer)
    ]
    for thread in threads:
        thread.start()
    try:
        version = rotation.start(alice_co.pk)
        first = rotation.reencrypt(alice_co.pk, batch=25)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    assert errors == []
    assert reads[0] > 0
    assert writes[0] > 0
    assert first.errors == 0
    clock.advance(rotation.grace())
    last = rotation.reencrypt(alice_co.pk)
    assert last.remaining == 0
    assert last.retired == [1]
    assert _versions(alice_co) == {version}
    states = {r.version: r.state for r in keys.keyring().records(keys.tenant_scope(alice_co.pk))}
    assert states == {1: keyring.RETIRED, 2: keyring.CURRENT}
    names = [c.name for c in Contact.objects.for_tenant(alice_co)]
    assert all(name.startswith("Kunde") for name in names)
    assert Contact.objects.for_tenant(alice_co).find(email="kunde7@example.dk")


@pytest.mark.django_db
def test_it_keeps_old_versions_until_the_grace_period_has_passed(
    alice_co: Tenant, clock: type[ClockControl]
) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")

    rotation.start(alice_co.pk)
    progress = rotation.reencrypt(alice_co.pk)

    assert progress.remaining == 0
    assert progress.retired == []
    assert progress.wait is not None
    assert progress.wait <= rotation.grace()
    clock.advance(rotation.grace() + timedelta(seconds=1))
    assert rotation.reencrypt(alice_co.pk).retired == [1]


@pytest.mark.django_db
def test_it_only_rotates_the_named_tenant(alice_co: Tenant, bob_co: Tenant) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen")
    Contact.objects.create(tenant=bob_co, name="Bob")

    rotation.start(alice_co.pk)
    rotation.reencrypt(alice_co.pk)

    assert _versions(alice_co) == {2}
    assert _versions(bob_co) == {1}
    assert Contact.objects.for_tenant(bob_co).get().name == "Bob"


@pytest.mark.django_db
def test_it_rotates_from_the_command_line(
    alice_co: Tenant, clock: type[ClockControl], capsys: pytest.CaptureFixture[str]
) -> None:
    contact = Contact.objects.create(tenant=alice_co, name="Karen", email="k@example.dk")

    call_command("vault", "rotate-dek", "--tenant", "alice")
    clock.advance(rotation.grace())
    call_command("vault", "rotate-dek", "--tenant", "alice")  # v3, and v1 + v2 now retire later
    clock.advance(rotation.grace())
    rotation.reencrypt(alice_co.pk)
    call_command("vault", "status")

    out = capsys.readouterr().out
    assert "key version 2 is current" in out
    assert f"tenant:{alice_co.pk} (alice) v3 current" in out
    assert f"tenant:{alice_co.pk} (alice) v1 retired" in out
    assert _versions(alice_co) == {3}
    assert Contact.objects.for_tenant(alice_co).get().name == "Karen"
    with pytest.raises(KeyVersionUnavailable):
        keys.key(keys.tenant_scope(alice_co.pk), 1)
    assert contact.email == "k@example.dk"


@pytest.mark.django_db
def test_it_reencrypts_stale_fields_on_save(alice_co: Tenant) -> None:
    loaded_before = Contact.objects.create(tenant=alice_co, name="Karen", notes="n")
    loaded_before = Contact.objects.for_tenant(alice_co).get()

    rotation.start(alice_co.pk)
    loaded_before.reference = "x"
    loaded_before.save()

    assert _versions(alice_co) == {2}


@pytest.mark.django_db
def test_a_row_saved_with_update_fields_during_rotation_stays_findable(
    alice_co: Tenant, clock: type[ClockControl]
) -> None:
    Contact.objects.create(tenant=alice_co, name="Karen", email="karen@example.dk")
    rotation.start(alice_co.pk)
    contact = Contact.objects.for_tenant(alice_co).get()

    contact.name = "Karen B."
    contact.save(update_fields=["name"])  # seals the record under version 2
    clock.advance(rotation.grace())

    assert rotation.reencrypt(alice_co.pk).retired == [1]
    assert Contact.objects.for_tenant(alice_co).find(email="karen@example.dk") == [contact]


@pytest.mark.django_db(transaction=True)
def test_a_save_of_some_record_fields_waits_for_another_in_flight(
    database_file: Path | None, alice_co: Tenant
) -> None:
    """Two saves of different record fields of one row, the first still uncommitted when
    the second starts: the second reads the record after the first commits, so neither
    change is lost."""
    contact = Contact.objects.create(tenant=alice_co, name="Karen", email="karen@old.dk")
    saved = threading.Event()
    go_on = threading.Event()
    errors: list[BaseException] = []

    def office() -> None:
        mine = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
        with transaction.atomic():
            mine.name = "Karen Blixen"
            mine.save(update_fields=["name"])
            saved.set()
            go_on.wait(timeout=10)

    def sync() -> None:
        mine = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
        assert mine.name == "Karen"
        saved.wait(timeout=10)
        mine.email = "karen@new.dk"
        mine.save(update_fields=["email"])

    threads = [threading.Thread(target=_in_thread(work, errors)) for work in (office, sync)]
    for thread in threads:
        thread.start()
    saved.wait(timeout=10)
    threads[1].join(timeout=0.5)  # the second save is let go only after this
    go_on.set()
    for thread in threads:
        thread.join()

    assert errors == []
    again = Contact.objects.for_tenant(alice_co).get(pk=contact.pk)
    assert (again.name, again.email) == ("Karen Blixen", "karen@new.dk")
    assert Contact.objects.for_tenant(alice_co).find(email="karen@new.dk") == [again]
