"""kiosk — the counter and self-service application of ward police stations."""

__version__ = "0.1.0"
