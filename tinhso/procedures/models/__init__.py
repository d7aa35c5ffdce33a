from .catalogue import Component, Fee, Field, Procedure, ProcedureCase
from .process import ProcessStep, ProcessTemplate

__all__ = [
    "Component",
    "Fee",
    "Field",
    "Procedure",
    "ProcedureCase",
    "ProcessStep",
    "ProcessTemplate",
]
