"""Production: every secret and host from the environment; refuse to start without them."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, TINHSO_PAYMENT_GATEWAY, env_bool, env_str

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")

# QR codes and links printed on results, receipts and messages must open from a phone:
# they carry the public address, which only the deployment knows.
if not env_str("TINHSO_PUBLIC_URL").strip():
    raise ImproperlyConfigured(
        "TINHSO_PUBLIC_URL must be set in the environment for production "
        "(the platform's public address, e.g. https://dichvucong.haiphong.gov.vn)."
    )
if not env_str("TINHSO_PUBLIC_URL").strip().startswith(("https://", "http://")):
    raise ImproperlyConfigured("TINHSO_PUBLIC_URL must start with https:// or http://.")

# The payment simulator lets anyone "pay": a real deployment names its gateway.
if TINHSO_PAYMENT_GATEWAY == "simulator" and not env_bool("ALLOW_PAYMENT_SIMULATOR", False):
    raise ImproperlyConfigured(
        "TINHSO_PAYMENT_GATEWAY is the local simulator: set the real gateway "
        "(e.g. vnpay) for production, or ALLOW_PAYMENT_SIMULATOR=true for a staging copy."
    )

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
