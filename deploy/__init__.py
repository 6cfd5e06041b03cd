"""The production profile: nginx, gunicorn and systemd files, and the scripts that run them (README, "Production")."""
