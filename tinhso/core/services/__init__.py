"""Writes of the core domain, one module per concept; each service audits in its transaction."""

from tinhso.core.audit import audit_record

__all__ = ["audit_record"]
