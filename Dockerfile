# The bot in a small image: python:3.11-slim, a virtual environment installed from the wheel with
# the exact versions of requirements.lock, run as an unprivileged user, SQLite on a volume.
#
#   docker build -t yibao-account-bot .
#   docker run -d --name yibao-bot -e TELEGRAM_BOT_TOKEN=... -v yibao-data:/data yibao-account-bot
#
# The default command polls (`python -m bot poll`); `webhook`, `console`, `ask ...`, `check`,
# `backup /data/copy.sqlite3` and every other subcommand work as arguments.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY flows ./flows
COPY locales ./locales
# Every dependency at the version CI tested (requirements.lock), PostgreSQL support included.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --constraint requirements.lock ".[postgres]"

FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite:////data/bot.sqlite3 \
    METRICS_PORT=9100
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /data --no-create-home bot \
    && mkdir /data \
    && chown 10001:10001 /data \
    && chmod 0700 /data
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# 8080: the webhook (PORT); 9100: /healthz and /metrics while polling (METRICS_PORT).
EXPOSE 8080 9100
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["poll"]
