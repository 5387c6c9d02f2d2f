"""Modules generated from proto/api.proto; do not edit them by hand.

Regenerate with ``python scripts/gen_proto.py`` (``make proto``).
"""
