"""Demo data for `make run` and `flask seed-demo` (seed.py), built through the services."""
