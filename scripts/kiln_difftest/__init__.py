"""Kiln's differential tester, run as scripts/difftest.py."""
