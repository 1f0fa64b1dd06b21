"""Desensitization of tabular personal data: masking, pseudonyms, generalization, detection, leak scan, risk.

Knows nothing of CKAN, files or YAML: a pandas DataFrame and a policy go in, a DataFrame and an audit come out.
Every rule works on whole columns (pyarrow.compute, numpy); none loops over cells in Python.
"""

from . import risk
from .audit import Audit, FieldAudit
from .detectors import detect
from .errors import AnonymizeError, PolicyError, PseudonymKeyError
from .generalization import generalize
from .pipeline import apply
from .policy import DEFAULT_RULES, RULES, FieldPolicy, Policy
from .pseudonym import PseudonymKey, pseudonymize
from .rules import mask, redact
from .gate import Finding, scan
from .schema import public_schema

__all__ = [
    "DEFAULT_RULES",
    "RULES",
    "AnonymizeError",
    "Audit",
    "FieldAudit",
    "FieldPolicy",
    "Finding",
    "PolicyError",
    "Policy",
    "PseudonymKey",
    "PseudonymKeyError",
    "apply",
    "detect",
    "generalize",
    "mask",
    "pseudonymize",
    "public_schema",
    "redact",
    "risk",
    "scan",
]
