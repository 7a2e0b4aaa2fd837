"""Payers' coverage policies as files: loading, validating, and the clinic's chosen set."""

from .load import parse_policy, shipped_policies, shipped_texts
from .validate import VERIFY, InvalidPolicy

__all__ = ["VERIFY", "InvalidPolicy", "parse_policy", "shipped_policies", "shipped_texts"]
