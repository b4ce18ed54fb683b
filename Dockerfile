# Kengele production image: gunicorn by default; the same image runs the Celery worker and beat
# (see docker-compose.yml). Plain HTTP on port 8000, meant to sit behind a TLS-terminating proxy.
FROM python:3.11-slim

# PYTHONPATH: the code runs from /app (next to templates/, static/, locale/ and data files), not
# from the copy pip puts in site-packages. KENGELE_VAR_DIR holds static files, media, the spool
# and the beat schedule; docker-compose.yml mounts a named volume there.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings \
    KENGELE_VAR_DIR=/var/lib/kengele \
    GUNICORN_WORKERS=3 \
    GUNICORN_THREADS=4

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin kengele \
    && install -d -o kengele -g kengele /var/lib/kengele

WORKDIR /app
COPY . .
RUN pip install -c constraints.txt . \
    && rm -rf build ./*.egg-info

USER kengele

# Settings refuse to load without these secrets when DEBUG is false; the dummy values exist only
# for this step and never reach the image's environment.
RUN DEBUG=false \
    SECRET_KEY=collectstatic-build-only \
    TWILIO_AUTH_TOKEN=collectstatic-build-only \
    FIELD_ENCRYPTION_KEY=collectstatic-build-only \
    CELERY_BROKER_URL=redis://build-only:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers \"$GUNICORN_WORKERS\" --threads \"$GUNICORN_THREADS\" --access-logfile - --error-logfile -"]
