"""Python SDK for the Centrifugo server API."""

__version__ = "6.0.0.dev0"
