# The linkage API and CLI. Neo4j runs in its own container (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /srv/linkage
COPY pyproject.toml README.md ./
COPY app ./app
COPY graph ./graph
COPY queries ./queries
COPY deploy/browser ./deploy/browser
# Editable: deploy/browser (the Browser guide and style) is found beside the code.
RUN pip install --no-cache-dir -e . && useradd --system --uid 10001 linkage
USER linkage
EXPOSE 8000
CMD ["linkage", "serve", "--host", "0.0.0.0", "--port", "8000"]
