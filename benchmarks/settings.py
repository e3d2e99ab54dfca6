"""Settings of the benchmark: the portal's own, in production mode, plus a URL conf with the minimal views the
web case compares the feedback form with. ``benchmarks.database.prepare_environment`` sets the environment
(DEBUG off, a throw-away secret key, the bench database) before this module is read."""

import warnings

from conduct_portal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
# No collectstatic in a bench run: URLs of static files are built without the manifest.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# The test client and the load tool speak plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Static files are served from the apps' folders (no collectstatic for a bench run); WhiteNoise would warn otherwise.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at")  # STATIC_ROOT: no collectstatic for a bench run
