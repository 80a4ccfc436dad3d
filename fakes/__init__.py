"""Fakes of third-party services that speak their real wire protocols, for tests, demos and local runs."""
