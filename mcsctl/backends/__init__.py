"""Backends: everything that talks to MaxScale. `make_backend` picks one per host."""
