"""Budstikke settings: one file, every value from the environment through strict helpers.

The embedded default (no variables set) runs from `var/` with SQLite, SqliteHuey and a
self-signed certificate. `BUDSTIKKE_MODE=production` requires the secrets and hosts to be
given explicitly and expects PostgreSQL and a TLS-terminating proxy or certificate.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from budstikke.core import env

BASE_DIR = Path(__file__).resolve().parent.parent
MODE = env.choice("BUDSTIKKE_MODE", "embedded", ("embedded", "production"))
PRODUCTION = MODE == "production"

DATA_DIR = env.path("BUDSTIKKE_DATA_DIR", BASE_DIR / "var")
KEYS_DIR = env.path("BUDSTIKKE_KEYS_DIR", DATA_DIR / "keys")
TLS_DIR = DATA_DIR / "tls"
BACKUP_DIR = env.path("BUDSTIKKE_BACKUP_DIR", DATA_DIR / "backups")
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """Generated once for the embedded default and kept in the data directory (mode 0600)."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = (
    env.string("SECRET_KEY")
    if PRODUCTION
    else (env.optional("SECRET_KEY") or _embedded_secret_key())
)
DEBUG = env.boolean("DEBUG", False)
if PRODUCTION and DEBUG:
    raise env.EnvError("DEBUG=true is refused with BUDSTIKKE_MODE=production")

ALLOWED_HOSTS = (
    env.string_list("ALLOWED_HOSTS", [])
    if PRODUCTION
    else env.string_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise env.EnvError("ALLOWED_HOSTS is required with BUDSTIKKE_MODE=production")
PORT = env.integer("PORT", 8443, minimum=1, maximum=65535)
BIND = env.string("BUDSTIKKE_BIND", "127.0.0.1")
PUBLIC_URL = env.string("BUDSTIKKE_PUBLIC_URL", f"https://localhost:{PORT}").rstrip("/")
TLS_CERT = env.optional("BUDSTIKKE_TLS_CERT")
TLS_KEY = env.optional("BUDSTIKKE_TLS_KEY")
if bool(TLS_CERT) != bool(TLS_KEY):
    raise env.EnvError("BUDSTIKKE_TLS_CERT and BUDSTIKKE_TLS_KEY go together; set both or neither")
WEB_WORKERS = env.integer("BUDSTIKKE_WEB_WORKERS", 2, minimum=1, maximum=64)

# Client IP: X-Forwarded-For is read only when the connecting peer is a trusted proxy.
TRUSTED_PROXY_CIDRS = [
    ipaddress.ip_network(cidr, strict=False) for cidr in env.string_list("TRUSTED_PROXY_CIDRS", [])
]
TRUSTED_PROXY_HOPS = env.integer("TRUSTED_PROXY_HOPS", 0, minimum=0, maximum=10)
# Django trusts this header as-is; ClientIPMiddleware removes it from untrusted peers first.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if (TRUSTED_PROXY_CIDRS or TRUSTED_PROXY_HOPS) else None
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's security-key list uses it
    "django_htmx",
    "huey.contrib.djhuey",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",  # records each login's IP and browser: the tenant security page
    "budstikke.core",
    "budstikke.accounts",
    "budstikke.tenants",
    "budstikke.shield",
    "budstikke.vault",
    "budstikke.customers",
    "budstikke.economic",
    "budstikke.api",
    "budstikke.ops",
    "budstikke.notify",
    "budstikke.backups",
    "budstikke.shipments",
    "budstikke.dispatch",
    "budstikke.webhooks",
    "budstikke.billing",
    "budstikke.privacy",
]
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

MIDDLEWARE = [
    "budstikke.core.middleware.ClientIPMiddleware",
    "budstikke.shield.middleware.ShieldMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "budstikke.accounts.middleware.SessionPolicyMiddleware",
    "budstikke.accounts.middleware.MandatoryMFAMiddleware",
    "budstikke.tenants.access.CurrentTenantMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "budstikke.core.middleware.AccessLogMiddleware",
]

ROOT_URLCONF = "budstikke.urls"
WSGI_APPLICATION = "budstikke.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "budstikke" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in the data directory unless DATABASE_URL names another.
DATABASE_URL = env.string("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
_db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_MAX_AGE"] = env.integer("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    _db["CONN_HEALTH_CHECKS"] = True
else:
    raise env.EnvError("DATABASE_URL must name SQLite (sqlite:///) or PostgreSQL (postgres://)")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis switches the job queue and the cache (shared rate limits and bans) to Redis.
REDIS_URL = env.optional("REDIS_URL")
if REDIS_URL:
    CACHES: dict[str, Any] = {
        # While Redis is unreachable: rate limits count in memory, nothing else is kept
        # (core/cache.py).
        "default": {
            "BACKEND": "budstikke.core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Queueing a job is a hint; a job that cannot be queued waits for its sweep (core/queue.py).
    HUEY: dict[str, Any] = {
        "huey_class": "budstikke.core.queue.RedisHuey",
        "name": "budstikke",
        "url": REDIS_URL,
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    HUEY = {
        "huey_class": "budstikke.core.queue.SqliteHuey",
        "name": "budstikke",
        "filename": str(DATA_DIR / "huey.db"),
    }
HUEY |= {
    "immediate": False,
    "utc": True,
    "consumer": {
        "workers": env.integer("BUDSTIKKE_WORKER_THREADS", 2, minimum=1),
        "worker_type": "thread",
        "periodic": True,
    },
}
HEARTBEAT_STALE_SECONDS = 180

# Vault (docs/security.md): where the key-encryption key lives. Secrets (BUDSTIKKE_KEK,
# BUDSTIKKE_VAULT_TOKEN) are read by the provider from the environment, never kept here.
VAULT_KEY_PROVIDER = env.choice(
    "BUDSTIKKE_KEY_PROVIDER", "local", ("local", "env", "aws-kms", "vault-transit")
)
if VAULT_KEY_PROVIDER == "env" and env.optional("BUDSTIKKE_KEK") is None:
    raise env.EnvError("BUDSTIKKE_KEY_PROVIDER=env needs BUDSTIKKE_KEK or BUDSTIKKE_KEK_FILE")
VAULT_AWS_KMS_KEY_ID = env.optional("BUDSTIKKE_KMS_KEY_ID")
VAULT_AWS_REGION = env.optional("BUDSTIKKE_KMS_REGION")
if VAULT_KEY_PROVIDER == "aws-kms" and not VAULT_AWS_KMS_KEY_ID:
    raise env.EnvError("BUDSTIKKE_KEY_PROVIDER=aws-kms needs BUDSTIKKE_KMS_KEY_ID")
VAULT_TRANSIT_URL = env.optional("BUDSTIKKE_VAULT_ADDR")
VAULT_TRANSIT_MOUNT = env.string("BUDSTIKKE_VAULT_TRANSIT_MOUNT", "transit")
VAULT_TRANSIT_KEY = env.string("BUDSTIKKE_VAULT_TRANSIT_KEY", "budstikke")
if VAULT_KEY_PROVIDER == "vault-transit" and not (
    VAULT_TRANSIT_URL and env.optional("BUDSTIKKE_VAULT_TOKEN")
):
    raise env.EnvError("BUDSTIKKE_KEY_PROVIDER=vault-transit needs BUDSTIKKE_VAULT_ADDR and _TOKEN")
VAULT_DEK_CACHE_SECONDS = env.integer("BUDSTIKKE_DEK_CACHE_SECONDS", 300, minimum=1, maximum=3600)
VAULT_DEK_CACHE_SIZE = env.integer("BUDSTIKKE_DEK_CACHE_SIZE", 4096, minimum=16)
VAULT_KEYRING_BACKUP_DAYS = env.integer("BUDSTIKKE_KEYRING_BACKUP_DAYS", 7, minimum=1, maximum=30)
VAULT_ROTATION_BATCH = env.integer("BUDSTIKKE_ROTATION_BATCH", 500, minimum=1)

# Backups (docs/backups.md): at these local times (TIME_ZONE), each proven by a restore drill.
# Data protection (privacy/): days a cancelled tenant can still export before its data is
# deleted, and days tenant admins have to object to a change of sub-processors.
PRIVACY_GRACE_DAYS = env.integer("BUDSTIKKE_OFFBOARDING_GRACE_DAYS", 30, minimum=0, maximum=365)
# Who the processor is, as the record of processing (Art. 30(2)) names it: the operator's
# legal name and a contact (address, DPO or privacy email).
PRIVACY_PROCESSOR_NAME = env.string("BUDSTIKKE_PROCESSOR_NAME", "Budstikke")
PRIVACY_PROCESSOR_CONTACT = env.string("BUDSTIKKE_PROCESSOR_CONTACT", PUBLIC_URL)
PRIVACY_OBJECTION_DAYS = env.integer("BUDSTIKKE_SUBPROCESSOR_OBJECTION_DAYS", 30, minimum=1)
BACKUP_TIMES = env.clock_times("BUDSTIKKE_BACKUP_TIMES", ["02:00", "14:00"])
BACKUP_KEEP_LAST = env.integer("BUDSTIKKE_BACKUP_KEEP_LAST", 14, minimum=1)
BACKUP_KEEP_DAILY = env.integer("BUDSTIKKE_BACKUP_KEEP_DAILY", 30, minimum=0)
BACKUP_KEEP_MONTHLY = env.integer("BUDSTIKKE_BACKUP_KEEP_MONTHLY", 12, minimum=0)
BACKUP_TARGET = env.choice("BUDSTIKKE_BACKUP_TARGET", "local", ("local", "s3"))
# The S3 secret key is read by the target from the environment (or _FILE), never kept here.
BACKUP_S3_BUCKET = env.optional("BUDSTIKKE_BACKUP_S3_BUCKET")
BACKUP_S3_PREFIX = env.string("BUDSTIKKE_BACKUP_S3_PREFIX", "budstikke/")
BACKUP_S3_ENDPOINT = env.optional("BUDSTIKKE_BACKUP_S3_ENDPOINT")
BACKUP_S3_REGION = env.optional("BUDSTIKKE_BACKUP_S3_REGION")
BACKUP_S3_ACCESS_KEY_ID = env.optional("BUDSTIKKE_BACKUP_S3_ACCESS_KEY_ID")
if BACKUP_TARGET == "s3" and not BACKUP_S3_BUCKET:
    raise env.EnvError("BUDSTIKKE_BACKUP_TARGET=s3 needs BUDSTIKKE_BACKUP_S3_BUCKET")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Language and time: stored in UTC, shown in the tenant's zone.
LANGUAGE_CODE = env.choice("LANGUAGE_CODE", "da", ("da", "en"))
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "budstikke" / "locale"]
TIME_ZONE = env.string("TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "budstikke" / "static"]
# Production serves hashed, collected files; the embedded default serves from the source tree.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = False

# HTTPS and headers, on every response.
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", False)
# Preloading commits the whole domain to HTTPS for good: the operator's choice, not a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_NAME = "__Host-sessionid"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.integer("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 3600, minimum=300)
SESSION_IDLE_TIMEOUT_SECONDS = env.integer("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=60)

# Accounts (django-allauth): email login, verified addresses, mandatory second factor.
ACCOUNT_ADAPTER = "budstikke.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "budstikke.tenants.forms.CompanySignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Codes instead of links keep verification in the same session, and let users protected by
# MFA change their address (allauth refuses unverified additions otherwise).
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Budstikke] "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Per address only: a per-account limit would let anyone lock a known user out (the
    # shield bans addresses that stuff credentials across accounts).
    "login_failed": "10/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
}
# allauth reads REMOTE_ADDR, which ClientIPMiddleware already made the trusted client address;
# it must never interpret X-Forwarded-For itself.
ALLAUTH_TRUSTED_PROXY_COUNT = 0
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
MFA_ADAPTER = "budstikke.accounts.adapters.MFAAdapter"
MFA_FORMS = {"activate_totp": "budstikke.accounts.forms.ActivateTOTPOnceForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_PERIOD = 30
MFA_TOTP_DIGITS = 6
MFA_TOTP_TOLERANCE = 0
MFA_TOTP_ISSUER = "Budstikke"
MFA_RECOVERY_CODE_COUNT = 10
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_REAUTHENTICATION_REQUIRED = True

CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_URL])

# Shield: intrusion detection, bans, country policy (see docs/shield.md).
SHIELD_ENABLED = env.boolean("SHIELD_ENABLED", True)
SHIELD_ALLOW_CIDRS = [
    ipaddress.ip_network(cidr, strict=False) for cidr in env.string_list("SHIELD_ALLOW_CIDRS", [])
]
SHIELD_BAN_BASE_SECONDS = env.integer("SHIELD_BAN_BASE_SECONDS", 3600, minimum=60)
SHIELD_BAN_MAX_SECONDS = env.integer("SHIELD_BAN_MAX_SECONDS", 7 * 86400, minimum=60)
SHIELD_RECIDIVE_SECONDS = env.integer("SHIELD_RECIDIVE_SECONDS", 7 * 86400, minimum=60)
SHIELD_REFRESH_SECONDS = env.integer("SHIELD_REFRESH_SECONDS", 5, minimum=1, maximum=300)
SHIELD_SCENARIOS_FILE = env.optional("SHIELD_SCENARIOS_FILE")
SHIELD_GEOIP_MMDB = env.optional("SHIELD_GEOIP_MMDB")
if SHIELD_GEOIP_MMDB and not Path(SHIELD_GEOIP_MMDB).is_file():
    raise env.EnvError(f"SHIELD_GEOIP_MMDB={SHIELD_GEOIP_MMDB!r} is not a readable file")
SHIELD_COUNTRY_WINDOW_DAYS = env.integer("SHIELD_COUNTRY_WINDOW_DAYS", 30, minimum=1)
SHIELD_COUNTRY_MIN_ATTEMPTS = env.integer("SHIELD_COUNTRY_MIN_ATTEMPTS", 500, minimum=1)
SHIELD_COUNTRY_MIN_SHARE_PERCENT = env.integer(
    "SHIELD_COUNTRY_MIN_SHARE_PERCENT", 10, minimum=1, maximum=100
)
SHIELD_COUNTRY_QUIET_WINDOWS = env.integer("SHIELD_COUNTRY_QUIET_WINDOWS", 1, minimum=1)
# EU/EEA, Switzerland and the UK: where the installation's tenants operate by default.
SHIELD_PROTECTED_COUNTRIES = [
    code.upper()
    for code in env.string_list(
        "SHIELD_PROTECTED_COUNTRIES",
        [
            *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU"),
            *("IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES"),
            *("SE", "IS", "LI", "NO", "CH", "GB"),
        ],
    )
]
_security_log = env.string("SHIELD_SECURITY_LOG", str(DATA_DIR / "security.log"))
SHIELD_SECURITY_LOG = None if _security_log == "off" else Path(_security_log)

# Email: printed to the console on the embedded default, SMTP (STARTTLS) in production.
_email_backend = env.string(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_email_options: dict[str, Any] = {}
if _email_backend.endswith("filebased.EmailBackend"):
    _email_options = {"file_path": str(env.path("EMAIL_FILE_PATH", DATA_DIR / "mail"))}
elif _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env.string("EMAIL_HOST", "localhost"),
        "port": env.integer("EMAIL_PORT", 587, minimum=1, maximum=65535),
        "username": env.string("EMAIL_HOST_USER", ""),
        "password": env.string("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env.boolean("EMAIL_USE_TLS", True),
        "timeout": 20,
    }
# Every message is first a row in the outbox (ARCHITECTURE invariant 3); the worker hands it
# to the "delivery" mailer, the real backend chosen by EMAIL_BACKEND.
MAILERS = {
    "default": {"BACKEND": "budstikke.accounts.mail.OutboxBackend"},
    "delivery": {"BACKEND": _email_backend, "OPTIONS": _email_options},
}
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "Budstikke <no-reply@budstikke.test>")

# e-conomic: the REST API, its request-access (grant) page, and this installation's app tokens.
ECONOMIC_BASE_URL = env.string("ECONOMIC_BASE_URL", "https://restapi.e-conomic.com").rstrip("/")
ECONOMIC_GRANT_URL = env.string(
    "ECONOMIC_GRANT_URL", "https://secure.e-conomic.com/secure/api1/requestaccess.aspx"
)
for _name, _url in (
    ("ECONOMIC_BASE_URL", ECONOMIC_BASE_URL),
    ("ECONOMIC_GRANT_URL", ECONOMIC_GRANT_URL),
):
    if not _url.startswith(("https://", "http://")) or (PRODUCTION and _url.startswith("http:")):
        raise env.EnvError(f"{_name} must be an https:// address (http:// only outside production)")
ECONOMIC_APP_SECRET_TOKEN = env.optional("ECONOMIC_APP_SECRET_TOKEN")
ECONOMIC_APP_PUBLIC_TOKEN = env.optional("ECONOMIC_APP_PUBLIC_TOKEN")

# Outgoing web hooks: private, loopback and link-local targets (and plain http) only when
# this is true — for development and tests with a local receiver, never in production.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.boolean("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
if PRODUCTION and WEBHOOKS_ALLOW_PRIVATE_TARGETS:
    raise env.EnvError("WEBHOOKS_ALLOW_PRIVATE_TARGETS must not be true in production")

# SMS (docs/sms.md): the gateway, its address and credentials (secrets: prefer _FILE), and
# the cost guards every tenant starts with. The country allow-list is data, kept by operators.
SMS_GATEWAY = env.choice("SMS_GATEWAY", "console", ("console", "gatewayapi", "twilio"))
SMS_SENDER = env.string("SMS_SENDER", "Budstikke")
SMS_GATEWAYAPI_BASE_URL = env.string("SMS_GATEWAYAPI_BASE_URL", "https://gatewayapi.eu").rstrip("/")
SMS_GATEWAYAPI_TOKEN = env.optional("SMS_GATEWAYAPI_TOKEN")
SMS_GATEWAYAPI_WEBHOOK_SECRET = env.optional("SMS_GATEWAYAPI_WEBHOOK_SECRET")
SMS_TWILIO_BASE_URL = env.string("SMS_TWILIO_BASE_URL", "https://api.twilio.com").rstrip("/")
SMS_TWILIO_ACCOUNT_SID = env.optional("SMS_TWILIO_ACCOUNT_SID")
SMS_TWILIO_AUTH_TOKEN = env.optional("SMS_TWILIO_AUTH_TOKEN")
SMS_TWILIO_FROM = env.optional("SMS_TWILIO_FROM")
for _name, _url in (
    ("SMS_GATEWAYAPI_BASE_URL", SMS_GATEWAYAPI_BASE_URL),
    ("SMS_TWILIO_BASE_URL", SMS_TWILIO_BASE_URL),
):
    if not _url.startswith(("https://", "http://")) or (PRODUCTION and _url.startswith("http:")):
        raise env.EnvError(f"{_name} must be an https:// address (http:// only outside production)")
if SMS_GATEWAY == "gatewayapi" and not (SMS_GATEWAYAPI_TOKEN and SMS_GATEWAYAPI_WEBHOOK_SECRET):
    raise env.EnvError("SMS_GATEWAY=gatewayapi needs SMS_GATEWAYAPI_TOKEN and _WEBHOOK_SECRET")
if SMS_GATEWAY == "twilio" and not (
    SMS_TWILIO_ACCOUNT_SID and SMS_TWILIO_AUTH_TOKEN and SMS_TWILIO_FROM
):
    raise env.EnvError("SMS_GATEWAY=twilio needs SMS_TWILIO_ACCOUNT_SID, _AUTH_TOKEN and _FROM")
SMS_MONTHLY_CAP = env.integer("SMS_MONTHLY_CAP", 2000, minimum=0)
SMS_RATE_PER_MINUTE = env.integer("SMS_RATE_PER_MINUTE", 60, minimum=1)
SMS_QUIET_HOURS = list(env.clock_range("SMS_QUIET_HOURS", "21:00-08:00"))
SMS_SEGMENT_PRICE = env.string("SMS_SEGMENT_PRICE", "0.35")
if not SMS_SEGMENT_PRICE.replace(".", "", 1).isdigit():
    raise env.EnvError(f"SMS_SEGMENT_PRICE={SMS_SEGMENT_PRICE!r} is not a price like 0.35")
SMS_CURRENCY = env.string("SMS_CURRENCY", "DKK")
# A send interrupted by a crash is resent only if no delivery report names it by then.
SMS_UNCERTAIN_SECONDS = env.integer("SMS_UNCERTAIN_SECONDS", 1800, minimum=60)

# Logging: structured, to stderr; nothing secret or personal (see core/logs.py).
LOG_FORMAT = env.choice("LOG_FORMAT", "text", ("text", "json"))
LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "budstikke.core.logs.RedactingFilter"}},
    "formatters": {
        "json": {"()": "budstikke.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.security.DisallowedHost": {"level": "ERROR"},
        "huey": {"level": "WARNING" if LOG_LEVEL == "INFO" else LOG_LEVEL},
        # httpx logs every URL at INFO; e-conomic filters can carry emails and CVR numbers.
        "httpx": {"level": "WARNING"},
    },
}
if SHIELD_SECURITY_LOG is not None:
    # One stable line per security event and decision, for fail2ban or log shipping.
    LOGGING["formatters"]["security"] = {"format": "%(message)s"}
    LOGGING["handlers"]["security_file"] = {
        "class": "logging.handlers.WatchedFileHandler",
        "filename": str(SHIELD_SECURITY_LOG),
        "formatter": "security",
    }
    LOGGING["loggers"]["budstikke.security"] = {
        "handlers": ["security_file"],
        "level": "INFO",
        "propagate": False,
    }
