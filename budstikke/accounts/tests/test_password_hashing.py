from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings

from budstikke import settings as product_settings


def test_the_product_hashes_passwords_with_argon2id() -> None:
    with override_settings(PASSWORD_HASHERS=product_settings.PASSWORD_HASHERS):
        encoded = make_password("a long passphrase for dispatch")
        assert encoded.startswith("argon2$argon2id$")
        assert check_password("a long passphrase for dispatch", encoded)
        assert not check_password("a long passphrase for dispatcH", encoded)


@pytest.mark.django_db
def test_short_and_common_passwords_are_refused() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with override_settings(AUTH_PASSWORD_VALIDATORS=product_settings.AUTH_PASSWORD_VALIDATORS):
        with pytest.raises(ValidationError, match="at least 12 characters"):
            validate_password("Short1!")
        with pytest.raises(ValidationError, match="too common"):
            validate_password("password1234")
        validate_password("kurer-rute-syv-aften-2026")
