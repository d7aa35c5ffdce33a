"""The embedded deployment used by ``make demo``: SQLite, one machine, DEBUG off."""

from .base import *  # noqa: F403
from .base import VAR_DIR

# A stable local key is generated once per machine in the var folder; a real
# deployment sets SECRET_KEY in the environment (config/settings/production.py).
if not SECRET_KEY:  # noqa: F405
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

# Serve app static files straight from the apps (no collectstatic needed);
# production collects them and serves the hashed, compressed copies.
WHITENOISE_USE_FINDERS = True
