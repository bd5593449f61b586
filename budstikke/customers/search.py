"""Searching encrypted customers: names by blind-indexed prefix tokens, contact details by
the blind indexes of the vault.

Names are ciphertext, so the database cannot run LIKE on them. Instead every word of a
name (Unicode-normalised, accents folded, case-folded) yields its prefixes of 2 to 10
characters; each prefix is stored only as HMAC-SHA256 (64 bits kept) under a key derived by
HKDF from the tenant's data key for this purpose alone. A search for "frag kø" turns each
query word into the same HMAC and asks for customers having every token — an indexed
equality lookup, fast whatever the number of customers.

What this leaks, stated honestly, to someone who can read the database but not the keys:
- equality of name prefixes *within one tenant*: which customers share a word prefix (not
  across tenants, whose keys differ), so frequency analysis of common words ("ApS", "A/S")
  can guess some tokens;
- each name's number of words, and each word's length up to 10 characters (the number of
  prefixes a word yields);
- nothing about names of other tenants, and nothing once the tenant's key is shredded.
A word's tokens are written under the key version current when the name is saved; search
looks under every live version, and `reindex` (run after a key rotation) rewrites them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from budstikke.customers.models import Customer, NameToken
from budstikke.tenants.models import Tenant
from budstikke.vault import keys
from budstikke.vault.fields import normalise_cvr

MIN_PREFIX = 2
MAX_PREFIX = 10
PURPOSE = "customers.name-token"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})


def words(text: str) -> list[str]:
    """Lower-case words without accents: "Kørsel & Søn" → ["koersel", "soen"]."""
    folded = text.casefold().translate(_FOLD)
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return _WORD.findall(plain)


def prefixes(text: str) -> set[str]:
    found: set[str] = set()
    for word in words(text):
        if len(word) < MIN_PREFIX:
            continue
        for size in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1):
            found.add(word[:size])
    return found


def _digest(key: keys.DataKey, token: str) -> str:
    return hmac.new(key.derive(PURPOSE), token.encode(), hashlib.sha256).hexdigest()[:16]


def index_name(customer: Customer) -> None:
    """Replace the customer's name tokens; call inside the transaction that saves the name."""
    scope = keys.tenant_scope(customer.tenant_id)
    key = keys.current(scope)
    NameToken.objects.for_tenant(customer.tenant).filter(customer=customer).delete()
    NameToken.objects.bulk_create(
        NameToken(
            tenant_id=customer.tenant_id,
            customer=customer,
            digest=_digest(key, token),
            key_version=key.version,
        )
        for token in sorted(prefixes(customer.name or ""))
    )


def bulk_index(customers: list[Customer]) -> None:
    """Name tokens of many new customers of one tenant (an initial sync brings thousands),
    written with one executemany: the ORM's per-object cost would dominate otherwise."""
    if not customers:
        return
    key = keys.current(keys.tenant_scope(customers[0].tenant_id))
    rows = [
        (c.tenant_id, c.pk, _digest(key, token), key.version)
        for c in customers
        for token in prefixes(c.name or "")
    ]
    table = connection.ops.quote_name(NameToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (tenant_id, customer_id, digest, key_version) "  # noqa: S608 - our own table name
            "VALUES (%s, %s, %s, %s)",
            rows,
        )


def reindex(tenant: Tenant, customers: Iterable[Customer] | None = None) -> int:
    """Rewrite name tokens under the current key (after `vault rotate-dek`)."""
    count = 0
    rows = customers if customers is not None else Customer.objects.for_tenant(tenant).iterator()
    for customer in rows:
        with transaction.atomic():
            index_name(customer)
        count += 1
    return count


def _name_query(tenant: Tenant, text: str) -> QuerySet[Customer] | None:
    query_words = [w[:MAX_PREFIX] for w in words(text) if len(w) >= MIN_PREFIX]
    if not query_words:
        return None
    scope = keys.tenant_scope(tenant.pk)
    versions = keys.live_versions(scope) or [keys.current(scope).version]
    found: QuerySet[Customer] = Customer.objects.for_tenant(tenant)
    for word in dict.fromkeys(query_words):
        digests = [_digest(keys.key(scope, version), word) for version in versions]
        matching = NameToken.objects.for_tenant(tenant).filter(digest__in=digests)
        found = found.filter(pk__in=matching.values("customer_id"))
    return found


def search(tenant: Tenant, text: str) -> QuerySet[Customer]:
    """Customers matching `text`: every word as a name prefix, or exactly the customer number,
    email, phone or CVR. Blank text matches every customer."""
    text = text.strip()
    base: QuerySet[Customer] = Customer.objects.for_tenant(tenant)
    if not text:
        return base
    condition = Q(pk__in=[])
    name_matches = _name_query(tenant, text)
    if name_matches is not None:
        condition |= Q(pk__in=name_matches.values("pk"))
    if text.isdigit() and len(text) <= 12:
        condition |= Q(customer_number=int(text))
    finder = Customer.objects.for_tenant(tenant)
    exact: list[int] = []
    if "@" in text:
        exact += [c.pk for c in finder.find(email=text)]
    digits = normalise_cvr(text)
    if len(digits) >= 8 and "@" not in text:
        exact += [c.pk for c in finder.find(mobile_phone=text)]
        exact += [c.pk for c in finder.find(cvr=text)]
    if exact:
        condition |= Q(pk__in=exact)
    return base.filter(condition)
