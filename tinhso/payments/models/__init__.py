from tinhso.payments.models.payments import PaymentCallback, PaymentRequest
from tinhso.payments.models.simulator import SimulatedTransaction

__all__ = ["PaymentCallback", "PaymentRequest", "SimulatedTransaction"]
