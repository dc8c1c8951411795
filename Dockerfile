# Partnerdesk in a container: a static binary (SQLite is pure Go, so no C
# toolchain) on a distroless base, running as a non-root user, with the
# SQLite database in the /data volume. Build and run:
#   docker build -t partnerdesk .
#   docker run --rm -v partnerdesk-data:/data partnerdesk migrate
#   docker run -d -p 8080:8080 -v partnerdesk-data:/data partnerdesk
# With PostgreSQL, set PARTNERDESK_DATABASE_URL (or mount a file and set
# PARTNERDESK_DATABASE_URL_FILE) and the volume is not needed.
# See docs/operators.md.

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=auto
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/partnerdesk ./cmd/partnerdesk \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/partnerdesk /usr/local/bin/partnerdesk
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV PARTNERDESK_ADDR=0.0.0.0:8080 \
    PARTNERDESK_DATABASE_URL=/data/partnerdesk.db
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/partnerdesk", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/partnerdesk"]
CMD ["serve"]
