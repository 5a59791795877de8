# Samordna for a production-like run (see docker-compose.yml and the README).
FROM python:3.11-slim

# postgresql-client: pg_dump and pg_restore, for `coordination backup` and `restore`
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.9 \
    && useradd --create-home --uid 10001 samordna
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY events events
COPY coordination coordination
COPY templates templates
RUN uv sync --locked --no-dev \
    && chown -R samordna /app
USER samordna

ENV PATH=/app/.venv/bin:$PATH \
    SAMORDNA_HOST=0.0.0.0 \
    SAMORDNA_PORT=8000 \
    SAMORDNA_DATA_DIR=/app/data
EXPOSE 8000
CMD ["coordination", "serve"]
