"""Demo data (clearly marked as such) and fast generators for benchmarks.

Everything here is DEMO content shaped on Hải Phòng after Hải Dương merged into
it on 1 July 2025. It is never loaded by a production deployment: only
``tinhso demo`` and ``tinhso seed`` call it.
"""
