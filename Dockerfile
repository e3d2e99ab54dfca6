# The portal's image: one image for the web servers, the Celery workers, beat and the one-off migration (compose.yaml
# runs each with its own command). Settings come from the environment (conduct_portal/settings.py lists them).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump and pg_restore for `manage.py backup_data` / `restore_data`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected into the image (WhiteNoise serves them); translations are compiled with Babel. Both need
# settings, not services: a throw-away key is enough here and is not kept in the image.
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput \
    && pybabel compile --domain django --directory locale \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p /app/var && chown portal /app/var

USER portal
EXPOSE 8000
# Gunicorn's worker count comes from WEB_CONCURRENCY (gunicorn reads it); `check --deploy` then warns if the cache
# is per process.
CMD ["gunicorn", "conduct_portal.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
