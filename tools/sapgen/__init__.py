"""Generators for the SAP sandbox's tables (not shipped in the wheel)."""
