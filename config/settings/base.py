"""Settings shared by every deployment. Secrets and hosts come from the environment."""

from __future__ import annotations

from config.env import BASE_DIR, database_config, env_bool, env_int, env_list, env_str, var_dir

VAR_DIR = var_dir()

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "axes",
    "tinhso.core",
    "tinhso.procedures",
    "tinhso.dossiers",
    "tinhso.payments",
    "tinhso.ioc",
    "tinhso.investment",
]

MIDDLEWARE = [
    "tinhso.core.middleware.RequestIdMiddleware",
    "tinhso.core.middleware.ApiRequestMiddleware",
    "tinhso.core.middleware.BodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tinhso.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "tinhso.core.middleware.TinhsoErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tinhso.core.context_processors.platform",
            ],
        },
    }
]

DATABASES = {"default": database_config(VAR_DIR / "tinhso.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Lockout after repeated failures (django-axes): per username and address pair.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tinhso.core.auth.lockout_response"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "tinhso.core.responses.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tinhso" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
# Static PDF fonts made once from the packaged variable fonts (default: VAR_DIR/cache).
TINHSO_FONT_CACHE_DIR = env_str("TINHSO_FONT_CACHE_DIR", "")
MEDIA_URL = "/media/"

# Bodies larger than this are refused with 413 before any view reads them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_BODY_BYTES", 2 * 1024 * 1024)
TINHSO_MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# One stored file (tinhso.core.files.file_store), unless the caller sets its own limit.
TINHSO_MAX_FILE_BYTES = env_int("MAX_FILE_BYTES", 10 * 1024 * 1024)
# API paths (prefixes) whose endpoints accept multipart/form-data uploads;
# every other API body must be application/json (docs/errors.md).
TINHSO_API_MULTIPART_PATHS: list[str] = ["/api/v1/dossiers"]
# The owners' Excel update (tinhso.investment.api_excel).
TINHSO_API_MULTIPART_PATHS.append("/api/v1/investment/excel/upload")

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tinhso@localhost")
# Message gateways for notifications (dotted paths; docs/files-and-notifications.md).
TINHSO_SMS_GATEWAY = env_str("SMS_GATEWAY", "tinhso.core.notifications.LoggingSmsGateway")
TINHSO_ZALO_GATEWAY = env_str("ZALO_GATEWAY", "tinhso.core.notifications.LoggingZaloGateway")
# Payments (docs/payments.md): "simulator" (local, the default) or "vnpay" with its secrets.
TINHSO_PAYMENT_GATEWAY = env_str("TINHSO_PAYMENT_GATEWAY", "simulator")
TINHSO_VNPAY_TMN_CODE = env_str("TINHSO_VNPAY_TMN_CODE", "")
TINHSO_VNPAY_HASH_SECRET = env_str("TINHSO_VNPAY_HASH_SECRET", "")
TINHSO_VNPAY_PAY_URL = env_str(
    "TINHSO_VNPAY_PAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
)
TINHSO_VNPAY_API_URL = env_str(
    "TINHSO_VNPAY_API_URL", "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
)
# Hours a payment request, and its gateway order (vnp_ExpireDate), stays payable.
TINHSO_PAYMENT_EXPIRY_HOURS = env_int("TINHSO_PAYMENT_EXPIRY_HOURS", 72)
# E-receipts: the receipt form code (ký hiệu mẫu biên lai) and the serial's letters (ký hiệu).
TINHSO_RECEIPT_FORM = env_str("TINHSO_RECEIPT_FORM", "01BLP0-001")
TINHSO_RECEIPT_SERIAL_PREFIX = env_str("TINHSO_RECEIPT_SERIAL_PREFIX", "TS")

# The province this deployment serves (post-reform code) and its working time.
TINHSO_PROVINCE_CODE = env_str("TINHSO_PROVINCE_CODE", "31")
# Shown in page headers when the unit list is not loaded (else the unit's own name).
TINHSO_PROVINCE_NAME = env_str("TINHSO_PROVINCE_NAME", "Thành phố Hải Phòng")
TINHSO_WORKING_SESSIONS = [("07:00", "11:30"), ("13:30", "17:00")]
# Roles that must confirm a one-time code (TOTP) after the password.
TINHSO_TOTP_REQUIRED_ROLES = env_list("TOTP_REQUIRED_ROLES", ["it_admin"])
TINHSO_API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "tinhso.core.middleware.RequestIdLogFilter"},
        "mask_ids": {"()": "tinhso.core.logging.MaskIdNumbersFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "mask_ids"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # fpdf2 subsets the document fonts with fontTools, which logs every glyph at INFO.
        "fontTools": {"level": "WARNING"},
    },
}

# Security operations (docs/soc.md): decisions enforced by the middleware, right after
# authentication so a ban on a user is seen; TINHSO_SOC_ENABLED=false turns it off.
INSTALLED_APPS.append("tinhso.soc")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "tinhso.soc.middleware.SocMiddleware",
)
TINHSO_SOC_ENABLED = env_bool("TINHSO_SOC_ENABLED", True)
TINHSO_SOC_MODE = env_str("TINHSO_SOC_MODE", "thread")
TINHSO_SOC_PARANOIA = env_int("TINHSO_SOC_PARANOIA", 1)
TINHSO_SOC_INBOUND_THRESHOLD = env_int("TINHSO_SOC_INBOUND_THRESHOLD", 5)
TINHSO_SOC_BLOCK_ATTACKS = env_bool("TINHSO_SOC_BLOCK_ATTACKS", True)
TINHSO_SOC_ALLOWLIST = env_list("TINHSO_SOC_ALLOWLIST", [])
TINHSO_SOC_BAN_SECONDS = env_int("TINHSO_SOC_BAN_SECONDS", 15 * 60)
TINHSO_SOC_QUEUE_SIZE = env_int("TINHSO_SOC_QUEUE_SIZE", 10_000)
# The client's address (tinhso.core.net.client_ip): X-Forwarded-For is believed only from
# these proxies. TINHSO_SOC_TRUSTED_PROXIES is the earlier name, still read as an alias.
TINHSO_TRUSTED_PROXIES = env_list(
    "TINHSO_TRUSTED_PROXIES", env_list("TINHSO_SOC_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
)
AXES_CLIENT_IP_CALLABLE = "tinhso.core.net.client_ip"
# Paths (prefixes) not inspected nor fed to the engine (the log ingest carries attacks
# as data); decisions still apply there.
TINHSO_SOC_UNINSPECTED_PATHS = env_list("TINHSO_SOC_UNINSPECTED_PATHS", ["/api/v1/soc/ingest"])
# Challenge decisions: proof-of-work difficulty (largest number searched), pass lifetime.
TINHSO_SOC_CHALLENGE_MAX_NUMBER = env_int("TINHSO_SOC_CHALLENGE_MAX_NUMBER", 100_000)
TINHSO_SOC_CHALLENGE_PASS_SECONDS = env_int("TINHSO_SOC_CHALLENGE_PASS_SECONDS", 3600)
TINHSO_SOC_CHALLENGE_MAX_FAILURES = env_int("TINHSO_SOC_CHALLENGE_MAX_FAILURES", 10)
# The firewall's pull of the ban sets (GET /soc/nftables.nft); empty: the endpoint refuses all.
TINHSO_SOC_EXPORT_TOKEN = env_str("TINHSO_SOC_EXPORT_TOKEN", "")

# The address citizens reach the platform at: every absolute link it prints or encodes
# (result and receipt QR codes, tracking links in messages, the gateway's return address)
# is built on it. Production refuses to start without it (docs/deployment.md).
TINHSO_PUBLIC_URL = env_str("TINHSO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Security operations log sources (docs/soc.md, "Sources"): the HTTP ingest's tokens as
# name:sha256-hex entries (`tinhso soc_ingest_token <name>` makes one), its limits, and
# where `tinhso soc_listen` keeps the offsets of the files it follows.
TINHSO_SOC_INGEST_TOKENS = env_list("TINHSO_SOC_INGEST_TOKENS", [])
TINHSO_SOC_INGEST_MAX_BYTES = env_int("TINHSO_SOC_INGEST_MAX_BYTES", 1024 * 1024)
TINHSO_SOC_INGEST_MAX_LINES = env_int("TINHSO_SOC_INGEST_MAX_LINES", 10_000)
TINHSO_SOC_INGEST_MAX_SKEW_SECONDS = env_int("TINHSO_SOC_INGEST_MAX_SKEW_SECONDS", 3600)
TINHSO_SOC_LISTEN_QUEUE_SIZE = env_int("TINHSO_SOC_LISTEN_QUEUE_SIZE", 50_000)
TINHSO_SOC_LISTEN_QUEUE_BYTES = env_int("TINHSO_SOC_LISTEN_QUEUE_BYTES", 64 * 1024 * 1024)
TINHSO_SOC_LISTEN_MAX_FRAME = env_int("TINHSO_SOC_LISTEN_MAX_FRAME", 16 * 1024)
TINHSO_SOC_LISTEN_MAX_CONNECTIONS = env_int("TINHSO_SOC_LISTEN_MAX_CONNECTIONS", 256)
TINHSO_SOC_LISTEN_IDLE_SECONDS = env_int("TINHSO_SOC_LISTEN_IDLE_SECONDS", 300)
TINHSO_SOC_LISTEN_STATS_SECONDS = env_int("TINHSO_SOC_LISTEN_STATS_SECONDS", 60)
TINHSO_SOC_LISTEN_STATE_FILE = env_str(
    "TINHSO_SOC_LISTEN_STATE_FILE", str(VAR_DIR / "soc" / "tail-state.json")
)

# Security incidents and their notices (docs/soc.md, "Incidents, notifications and the
# console"): an alert joins its key's incident seen within the window; a new or more
# severe incident is mailed to these addresses and POSTed to the webhook, signed with
# HMAC-SHA256 of the body under the secret (from the environment only).
TINHSO_SOC_INCIDENT_WINDOW_MINUTES = env_int("TINHSO_SOC_INCIDENT_WINDOW_MINUTES", 60)
TINHSO_SOC_NOTIFY_EMAILS = env_list("TINHSO_SOC_NOTIFY_EMAILS", [])
TINHSO_SOC_WEBHOOK_URL = env_str("TINHSO_SOC_WEBHOOK_URL", "")
TINHSO_SOC_WEBHOOK_SECRET = env_str("TINHSO_SOC_WEBHOOK_SECRET", "")
TINHSO_SOC_NOTIFY_MODE = env_str("TINHSO_SOC_NOTIFY_MODE", "thread")

# Sigma rules and volume baselines (docs/soc.md, "Sigma rules and baselines"): rule files
# from the shipped folder plus these folders; the unexpected-source rules treat an address
# outside TINHSO_SOC_INTERNAL_NETWORKS as coming from outside.
TINHSO_SOC_RULE_DIRS = env_list("TINHSO_SOC_RULE_DIRS", [])
TINHSO_SOC_SIGMA_ENABLED = env_bool("TINHSO_SOC_SIGMA_ENABLED", True)
TINHSO_SOC_INTERNAL_NETWORKS = env_list(
    "TINHSO_SOC_INTERNAL_NETWORKS",
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1/128", "fc00::/7"],
)
TINHSO_SOC_BASELINE_ENABLED = env_bool("TINHSO_SOC_BASELINE_ENABLED", True)
TINHSO_SOC_BASELINE_K = float(env_str("TINHSO_SOC_BASELINE_K", "4.0"))
TINHSO_SOC_BASELINE_WARMUP_MINUTES = env_int("TINHSO_SOC_BASELINE_WARMUP_MINUTES", 30)
TINHSO_SOC_BASELINE_MIN_COUNT_ENDPOINT = env_int("TINHSO_SOC_BASELINE_MIN_COUNT_ENDPOINT", 120)
TINHSO_SOC_BASELINE_MIN_COUNT_SOURCE = env_int("TINHSO_SOC_BASELINE_MIN_COUNT_SOURCE", 60)
