"""Demo data for `make run` and `flask seed-demo` (seed.py), built through the services, and
`flask demo simulate` (simulate.py), which keeps it moving."""
