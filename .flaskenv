# The app, or one clear sentence when the settings refuse to start (app/cli.py).
FLASK_APP=app:create_cli_app
# No PULSE_ENV here on purpose: this file ships with the code, and a flask command on a
# server must not quietly run as development. Locally: PULSE_ENV=development flask ...
# (the Makefile targets set it for you).
