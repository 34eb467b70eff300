# The featurewatch command line, for the one-shot setup service of docker-compose.yml
# (index templates and dashboards). Build: docker build -t featurewatch:local .
FROM python:3.11-slim-bookworm

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install .
# The generated dashboards, imported by `featurewatch kibana import`.
COPY kibana ./kibana

USER nobody
CMD ["featurewatch", "--help"]
