"""Log sources for security operations: syslog over UDP and TCP, file tails, HTTP ingest.

Every source hands raw lines to a ``Pipeline`` (``pipeline.py``): a bounded queue in
front of one ``Engine``; under overload a network source's line is dropped and counted,
a file simply waits. ``tinhso soc_listen`` runs the listeners (``listen.py``); the HTTP
endpoint (``tinhso/soc/api.py``) parses in the web process and feeds ``EVENTS``.
"""
