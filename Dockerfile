# syntax=docker/dockerfile:1
# One image for every T1 Support service; the command names the service's module:
#   docker run t1-support:0.1.0 services.message_saver     (gateway, services.bot, services.ml, ...)
# docker-compose.yml builds it and runs each service with its settings. Stages: the console (Node), the
# locked Python dependencies (uv.lock), and a slim runtime with tesseract for message_saver's OCR.

# --- the operator console: frontend/dist, served by the gateway -------------------------------------------
FROM node:20.19.5-bookworm-slim AS console
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# --- the virtualenv, exactly as uv.lock pins it (no dev dependencies, not the project itself) -------------
FROM python:3.11.15-slim-bookworm AS python-deps
# uv as scripts/bootstrap.sh pins it.
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
WORKDIR /src
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --no-cache

# --- the runtime ---------------------------------------------------------------------------------------------
FROM python:3.11.15-slim-bookworm AS runtime
# Tesseract with its Russian and English models for OCR of customers' photos (services/message_saver/ocr.py);
# the versions are bookworm's.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr=5.3.0-2 \
        tesseract-ocr-rus=1:4.1.0-2 \
        tesseract-ocr-eng=1:4.1.0-2 \
    && rm -rf /var/lib/apt/lists/*
# A user of its own; /var/lib/t1 is the only place it writes (search index, generated admin password).
RUN groupadd --system --gid 10001 t1 \
    && useradd --system --uid 10001 --gid t1 --home-dir /app --no-create-home --shell /usr/sbin/nologin t1 \
    && install -d -o t1 -g t1 /var/lib/t1 /var/lib/t1/search
COPY --from=python-deps /opt/venv /opt/venv
WORKDIR /app
COPY gen/ gen/
COPY t1lib/ t1lib/
COPY services/ services/
COPY gateway/ gateway/
COPY fakes/ fakes/
COPY data/kb/ data/kb/
COPY --from=console /src/frontend/dist frontend/dist
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app:/app/gen \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    T1_METRICS_HOST=0.0.0.0 \
    T1_METRICS_PORT=9100 \
    T1_CONSOLE_DIR=/app/frontend/dist \
    T1_SEARCH_DIR=/var/lib/t1/search \
    T1_QDRANT_PATH=/var/lib/t1/qdrant \
    T1_ADMIN_PASSWORD_FILE=/var/lib/t1/admin-password
USER 10001:10001
EXPOSE 8000 9100
# Alive as the service's ops server sees it (/livez on T1_METRICS_PORT): no curl needed.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/livez' % os.environ['T1_METRICS_PORT'], timeout=4)"]
ENTRYPOINT ["python", "-m"]
CMD ["gateway"]
