"""Noronha's older import path for the inference server."""
from noronha.tools.serving import HealthCheck, OnlinePredict  # noqa: F401
