"""Django settings for ehcflow, driven by the environment.

Every setting that differs between a laptop and a council's production server comes from an
environment variable, so the same code runs in both. `DATABASE_URL` picks the engine:
the embedded SQLite file under `var/` by default, PostgreSQL in production.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EHCFLOW_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("EHCFLOW_DEBUG", False)
PRODUCTION = _env_bool("EHCFLOW_PRODUCTION", False)


def _secret_key() -> str:
    """Use the configured key; outside production keep a generated one under var/.

    A key in the repository would let anyone forge sessions on a council's server, so none is
    committed; production refuses to start without `EHCFLOW_SECRET_KEY`.
    """
    configured = os.environ.get("EHCFLOW_SECRET_KEY")
    if configured:
        return configured
    if PRODUCTION:
        raise RuntimeError("EHCFLOW_SECRET_KEY must be set when EHCFLOW_PRODUCTION is on.")
    key_file = VAR_DIR / "secret-key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("EHCFLOW_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks_db",
    "ehcflow.people",
    "ehcflow.audit",
    "ehcflow.casework",
    "ehcflow.register",
    "ehcflow.insight",
    "ehcflow.planning",
    "ehcflow.demo",
    "ehcflow.web",
    "ehcflow.records",
    "ehcflow.sen2",
    "ehcflow.reviews",
    "ehcflow.disagreements",
    "ehcflow.plans",
    "ehcflow.families",
    "ehcflow.partners",
    "ehcflow.notify",
    "ehcflow.files",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ehcflow.people.middleware.AccountSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "ehcflow.web.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "ehcflow.urls"
WSGI_APPLICATION = "ehcflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ehcflow" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "ehcflow.web.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'ehcflow.sqlite3'}",
        conn_max_age=int(os.environ.get("EHCFLOW_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the nightly tasks write while officers read; IMMEDIATE avoids lock upgrades
    # failing half-way through a service's transaction.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in: local accounts (argon2) throttled by django-axes, and optionally the council's
# Microsoft Entra ID over OpenID Connect when EHCFLOW_OIDC_CLIENT_ID is set.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
OIDC_ENABLED = bool(os.environ.get("EHCFLOW_OIDC_CLIENT_ID"))
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("ehcflow.people.oidc.CouncilOIDCBackend")
# Django's model backend, refusing disabled accounts and leavers (people.backends).
AUTHENTICATION_BACKENDS.append("ehcflow.people.backends.AccountBackend")

AXES_FAILURE_LIMIT = int(os.environ.get("EHCFLOW_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("EHCFLOW_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"


def _proxy_count() -> int:
    """How many reverse proxies of the council's own append to X-Forwarded-For (0 to 5).

    Lockout counts failures per username *and* client address, so a stranger elsewhere can
    only lock themselves out of a named account. Behind a proxy that only works if the real
    client address is read from the right place: too low and every user shares the proxy's
    address (anyone can lock anyone out); too high and a client can forge its address.
    """
    raw = os.environ.get("EHCFLOW_PROXY_COUNT", "0").strip()
    if not raw.isdigit() or int(raw) > 5:
        raise RuntimeError(
            "EHCFLOW_PROXY_COUNT must be a whole number from 0 to 5: the number of reverse "
            "proxies in front of the site that add to X-Forwarded-For.")
    return int(raw)


EHCFLOW_PROXY_COUNT = _proxy_count()
AXES_CLIENT_IP_CALLABLE = "ehcflow.people.signin.client_ip"


def _oidc_tenant() -> str:
    """The council's own Entra tenant GUID; `organizations`/`common` would let any tenant in.

    Required when single sign-on is on (issue 9, finding 11; decision 0009).
    """
    tenant = os.environ.get("EHCFLOW_OIDC_TENANT", "").strip().lower()
    guid = (len(tenant) == 36 and tenant.count("-") == 4
            and all(ch in "0123456789abcdef-" for ch in tenant))
    if OIDC_ENABLED and not guid:
        raise RuntimeError(
            "EHCFLOW_OIDC_TENANT must be the council's Microsoft Entra tenant ID (a GUID) when "
            "EHCFLOW_OIDC_CLIENT_ID is set; 'organizations' and 'common' are refused.")
    return tenant if guid else ""


OIDC_TENANT_ID = _oidc_tenant()
_entra = f"https://login.microsoftonline.com/{OIDC_TENANT_ID or 'invalid-tenant'}"
# The issuer every ID token must carry: Entra's v2.0 issuer for the pinned tenant.
OIDC_OP_ISSUER = os.environ.get("EHCFLOW_OIDC_ISSUER", f"{_entra}/v2.0")
OIDC_RP_CLIENT_ID = os.environ.get("EHCFLOW_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("EHCFLOW_OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get(
    "EHCFLOW_OIDC_AUTHORIZATION_ENDPOINT", f"{_entra}/oauth2/v2.0/authorize")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get(
    "EHCFLOW_OIDC_TOKEN_ENDPOINT", f"{_entra}/oauth2/v2.0/token")
OIDC_OP_USER_ENDPOINT = os.environ.get(
    "EHCFLOW_OIDC_USER_ENDPOINT", "https://graph.microsoft.com/oidc/userinfo")
OIDC_OP_JWKS_ENDPOINT = os.environ.get(
    "EHCFLOW_OIDC_JWKS_ENDPOINT", f"{_entra}/discovery/v2.0/keys")
OIDC_CREATE_USER = False  # an account must exist: access is granted by the council, not by Entra
OIDC_USE_NONCE = True
OIDC_VERIFY_SSL = _env_bool("EHCFLOW_OIDC_VERIFY_SSL", True)

# Set-password links (people.services): one use, valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
# E-mail: sent by SMTP in production (the EHCFLOW_EMAIL_* below say where), printed to the
# console elsewhere, unless EHCFLOW_EMAIL_BACKEND names another backend. A production server
# that printed its set-password links would lose them (Django's check mail.E001).
_email_backend = os.environ.get(
    "EHCFLOW_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend")
_email_options: dict[str, object] = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": os.environ.get("EHCFLOW_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EHCFLOW_EMAIL_PORT", "25")),
        "username": os.environ.get("EHCFLOW_EMAIL_HOST_USER", ""),
        "password": os.environ.get("EHCFLOW_EMAIL_HOST_PASSWORD", ""),
        "use_tls": _env_bool("EHCFLOW_EMAIL_USE_TLS", True),
        "timeout": 20,
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("EHCFLOW_EMAIL_FROM", "send-service@localhost")
# GOV.UK Notify (ehcflow.notify): without a key, e-mails go through the backend above and text
# messages and letters are recorded as not sent. Template ids: a JSON object, template key → id.
EHCFLOW_NOTIFY_API_KEY = os.environ.get("EHCFLOW_NOTIFY_API_KEY", "")
EHCFLOW_NOTIFY_BASE_URL = os.environ.get(
    "EHCFLOW_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
EHCFLOW_NOTIFY_TEMPLATE_IDS: dict[str, str] = json.loads(
    os.environ.get("EHCFLOW_NOTIFY_TEMPLATE_IDS", "{}"))
# The bearer token Notify sends with delivery receipts (set the same in Notify's callbacks).
EHCFLOW_NOTIFY_CALLBACK_TOKEN = os.environ.get("EHCFLOW_NOTIFY_CALLBACK_TOKEN", "")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "ehcflow" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Children's records are special category data: short idle sessions, cookies only over HTTPS
# in production, never readable by scripts, and no framing.
SESSION_COOKIE_AGE = int(os.environ.get("EHCFLOW_SESSION_SECONDS", str(30 * 60)))


def _session_max_hours() -> float:
    """However active, a session ends this many hours after sign-in (people.middleware)."""
    raw = os.environ.get("EHCFLOW_SESSION_MAX_HOURS", "10").strip()
    try:
        hours = float(raw)
    except ValueError:
        hours = 0.0
    if not 0 < hours <= 24 * 7:
        raise RuntimeError("EHCFLOW_SESSION_MAX_HOURS must be a number of hours above 0 and "
                           "at most 168.")
    return hours


SESSION_MAX_AGE = timedelta(hours=_session_max_hours())
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and _env_bool("EHCFLOW_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts only from this site or with the page's nonce; nothing framed, nothing posted away.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, *( [OIDC_OP_AUTHORIZATION_ENDPOINT] if OIDC_ENABLED else [])],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Log events, never personal data: loggers receive opaque identifiers only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused page (403) is expected, not a fault: one line, no traceback (issue 9, 12).
    "filters": {"refusals": {"()": "ehcflow.people.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("EHCFLOW_LOG_LEVEL", "WARNING")},
}

# Background work (nightly snapshots): Django's tasks framework with the database backend, so
# no extra server is needed; `ehcflow db_worker` (make worker) runs the queue.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("EHCFLOW_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# The authority this installation serves, shown in the header and used for national comparison.
EHCFLOW_AUTHORITY_NAME = os.environ.get("EHCFLOW_AUTHORITY_NAME", "Demo Borough Council")
EHCFLOW_SERVICE_NAME = "ehcflow"
# Retention: a child's record is kept until their 25th birthday plus this many years
# (decision 0010; ehcflow.records.schedule checks the value).
EHCFLOW_RETENTION_YEARS = os.environ.get("EHCFLOW_RETENTION_YEARS", "6")
# The SEN2 return's header items that no case record holds (decision 0016): the LA number
# (3 digits) and whether a Designated Medical, Clinical and Social Care Officer is in post
# (Y, N or R, as the schema codes them). ehcflow.sen2.services checks them before an export.
EHCFLOW_SEN2_LA_NUMBER = os.environ.get("EHCFLOW_SEN2_LA_NUMBER", "").strip()
EHCFLOW_SEN2_DMO = os.environ.get("EHCFLOW_SEN2_DMO", "").strip().upper()
EHCFLOW_SEN2_DCO = os.environ.get("EHCFLOW_SEN2_DCO", "").strip().upper()
EHCFLOW_SEN2_DSCO = os.environ.get("EHCFLOW_SEN2_DSCO", "").strip().upper()
# Families (ehcflow.families): where families reach the SEND team, and this site's address for
# the links and codes sent to them.
EHCFLOW_SITE_URL = os.environ.get("EHCFLOW_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EHCFLOW_SEND_TEAM_PHONE = os.environ.get("EHCFLOW_SEND_TEAM_PHONE", "01234 567890")
EHCFLOW_SEND_TEAM_EMAIL = os.environ.get("EHCFLOW_SEND_TEAM_EMAIL", "send@example.gov.uk")
# Files (ehcflow.files, decision 0021): kept outside the web root under var/files, or in an
# S3-compatible bucket when EHCFLOW_S3_BUCKET is set (the `s3` extra: django-storages, boto3);
# at most EHCFLOW_UPLOAD_MAX_MB each; scanned by clamd on EHCFLOW_CLAMD_SOCKET (a unix socket)
# or EHCFLOW_CLAMD_HOST and EHCFLOW_CLAMD_PORT.
_files_storage: dict[str, Any]
if os.environ.get("EHCFLOW_S3_BUCKET"):
    _files_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["EHCFLOW_S3_BUCKET"],
            "endpoint_url": os.environ.get("EHCFLOW_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("EHCFLOW_S3_REGION") or None,
            "access_key": os.environ.get("EHCFLOW_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("EHCFLOW_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("EHCFLOW_S3_PREFIX", "files"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
else:
    _files_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "files", "base_url": None,
                    "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
STORAGES["files"] = _files_storage
EHCFLOW_UPLOAD_MAX_BYTES = int(float(os.environ.get("EHCFLOW_UPLOAD_MAX_MB", "10")) * 1024 * 1024)
EHCFLOW_CLAMD_SOCKET = os.environ.get("EHCFLOW_CLAMD_SOCKET", "/var/run/clamav/clamd.ctl")
EHCFLOW_CLAMD_HOST = os.environ.get("EHCFLOW_CLAMD_HOST", "")
EHCFLOW_CLAMD_PORT = int(os.environ.get("EHCFLOW_CLAMD_PORT", "3310"))
if EHCFLOW_CLAMD_HOST:
    EHCFLOW_CLAMD_SOCKET = ""
