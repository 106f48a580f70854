"""Governed marketing-KPI warehouse: the Python side (generator, contract checks, audit, publish)."""

__version__ = "0.1.0"
