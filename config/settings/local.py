"""Development on one machine: SQLite and a filesystem broker unless told otherwise."""

from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# Development only: a fixed key so that sessions survive restarts.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-territoires-innovation")
