# The linkage API and CLI. Neo4j runs in its own container (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    LINKAGE_AUDIT_LOG=/var/lib/linkage/audit/audit.jsonl
WORKDIR /srv/linkage
COPY pyproject.toml README.md ./
COPY app ./app
COPY graph ./graph
COPY queries ./queries
COPY deploy/browser ./deploy/browser
# Editable: deploy/browser (the Browser guide and style) is found beside the code. The code stays root's and
# read-only for the service user; the audit folder (a volume in docker-compose.yml) and the quarantine
# folder of loads are the user's own, private (0700).
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --home-dir /var/lib/linkage --shell /usr/sbin/nologin linkage \
    && install -d -o linkage -g linkage -m 0700 /var/lib/linkage /var/lib/linkage/audit /var/lib/linkage/quarantine
USER linkage
EXPOSE 8000
CMD ["linkage", "serve", "--host", "0.0.0.0", "--port", "8000"]
