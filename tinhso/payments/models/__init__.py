from tinhso.payments.models.payments import PaymentCallback, PaymentRequest

__all__ = ["PaymentCallback", "PaymentRequest"]
