# syntax=docker/dockerfile:1
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.Version=${VERSION}" -o /out/rightsdesk ./cmd/rightsdesk

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin rightsdesk \
 && mkdir -p /data && chown rightsdesk /data
COPY --from=build /out/rightsdesk /usr/local/bin/rightsdesk
USER rightsdesk
WORKDIR /data
# The database and its at-rest key (rightsdesk.db.key, mode 0600) live here:
# back both up, and keep them apart in backups where you can.
VOLUME ["/data"]
ENV RIGHTSDESK_DB=/data/rightsdesk.db \
    RIGHTSDESK_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/rightsdesk"]
CMD ["serve"]
