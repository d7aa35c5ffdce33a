"""Settings of the benchmark servers: the local (embedded) settings, one limit lifted.

Used by the scripts in bench/ through ``DJANGO_SETTINGS_MODULE=bench_settings``
(``bench/`` on ``PYTHONPATH``, see ``_harness.bench_env``); never by a deployment.

The public dossier look-up counts failed code + ID pairs per client address and
answers 429 past ``TINHSO_TRACK_MAX_FAILURES`` in a window. A load generator on
127.0.0.1 is one address sending thousands of deliberately wrong pairs, so the
bench raises the threshold out of reach: the measured path stays the real one
(the failure counter is still read and incremented in the cache on every wrong
pair), only the refusal never triggers. docs/performance.md says so.
"""

from config.settings.local import *  # noqa: F403

TINHSO_TRACK_MAX_FAILURES = 10**12
