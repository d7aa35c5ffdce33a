"""Settings for the test suite: same code paths, faster hashing, no real mail."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

# Serve app static files straight from the apps (no collectstatic needed);
# production collects them and serves the hashed, compressed copies.
WHITENOISE_USE_FINDERS = True

# Security operations: the test client speaks from 127.0.0.1, which is allowlisted so the
# suite's own failed sign-ins and odd inputs never ban it; tests of the module use other
# addresses (REMOTE_ADDR=203.0.113.x). Events are evaluated at the end of each response.
TINHSO_SOC_ALLOWLIST = ["127.0.0.1/32", "::1/128"]
TINHSO_SOC_MODE = "inline"
