# Mentorbot on Debian's own Python, so that `apt-get upgrade` in a rebuild brings its security
# fixes. BASE lets a locally made bookworm image stand in where Docker Hub cannot be reached
# (deploy/try-image.sh).
ARG BASE=debian:bookworm-slim
FROM ${BASE}

# apt-get clean: the package caches (some 90 MB) are only dropped by the official images' own apt
# configuration, which a base made otherwise lacks.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get upgrade -y \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid and gid, so that a volume's files keep one owner across rebuilds.
RUN groupadd --system --gid 10001 mentorbot \
    && useradd --system --uid 10001 --gid mentorbot --home-dir /var/lib/mentorbot \
        --shell /usr/sbin/nologin mentorbot \
    && install -d -o mentorbot -g mentorbot -m 0700 /var/lib/mentorbot

# Only what the package needs: pyproject.toml names README.md and LICENSE, and the rest of the
# checkout (tests, benchmarks) has no business in a production image.
COPY pyproject.toml README.md LICENSE /tmp/src/
COPY bot /tmp/src/bot
COPY handlers /tmp/src/handlers
COPY storage /tmp/src/storage
# Not editable: the image must not depend on a source tree that is deleted next. A network
# that inspects TLS, as many municipal ones do, needs its CA to reach PyPI; it is lent to this
# step as a build secret and stays out of the image:
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt .
RUN --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && python3 -m venv /opt/mentorbot/venv \
    && /opt/mentorbot/venv/bin/pip install --no-cache-dir --disable-pip-version-check /tmp/src \
    && rm -rf /tmp/src

ENV PATH=/opt/mentorbot/venv/bin:$PATH \
    MENTORBOT_DB=/var/lib/mentorbot/mentorbot.db \
    PYTHONUNBUFFERED=1 \
    LANG=C.UTF-8
# Declared after the directory is made, so a new named volume starts with its owner and mode.
VOLUME /var/lib/mentorbot
# The bot reads a .env from its working directory; here that is the volume, not the image.
WORKDIR /var/lib/mentorbot
USER mentorbot

# The webhook's port, when MENTORBOT_WEBHOOK_URL is set (compose.yaml); long polling needs none.
EXPOSE 8443
# The bot's heartbeat in the database, which long polling and a webhook both keep fresh.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["mentorbot", "check", "--live"]
# SIGTERM is what `run` stops cleanly on, within 5 s; compose's stop_grace_period allows more.
STOPSIGNAL SIGTERM
ENTRYPOINT ["mentorbot"]
CMD ["run"]
