"""The vault: per-tenant envelope encryption (ARCHITECTURE invariant 2). See docs/security.md.

Usage in short:

Platform secrets (no tenant: TOTP secrets, app secrets, gateway credentials)::

    from budstikke.vault import platform
    token = platform.seal_text(secret, purpose="mfa.totp")      # ASCII, for a Char/TextField
    secret = platform.unseal_text(token, purpose="mfa.totp")    # VaultError on tamper/purpose
    # bytes: platform.seal(b, purpose=...) / platform.unseal(token, purpose=...)

Tenant personal data in a model (the model inherits `EncryptedModel`, a `TenantOwned`)::

    from budstikke.vault.fields import (BlindIndexField, EncryptedCharField,
        EncryptedTextField, EncryptedJSONField, EncryptedBinaryField)
    from budstikke.vault.models import EncryptedModel

    class Invitation(EncryptedModel):
        email = EncryptedCharField(max_length=254)
        email_index = BlindIndexField(source="email", normalizer="email")

    Invitation.objects.create(tenant=t, email="A@b.dk")   # stored as ciphertext
    inv.email                                             # decrypts with inv.tenant_id
    Invitation.objects.for_tenant(t).find(email="a@B.dk") # list, false positives removed

Text and JSON fields of a row are sealed together as one ciphertext in its `sealed`
column; `EncryptedBinaryField` keeps a column of its own (see fields.py). Writes go
through `save()`/`create()`/`bulk_create()`; `update(email=...)`, `filter(email=...)` and
`values("email")` raise `EncryptedFieldMisuse` (use the blind index). Normalisers: email,
phone (E.164), cvr, exact. Errors live in `budstikke.vault.errors` (all subclass
`VaultError`).

Operations: `manage.py vault status | rotate-kek | rotate-dek --tenant SLUG |
backup-keyring`; `budstikke.vault.shredding.shred(tenant)` destroys a tenant's keys.
"""
