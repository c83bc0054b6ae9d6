# gateway - multi-stage build on Red Hat UBI9 (example shaped like the kubernaut services)
ARG BUILDER_IMAGE=registry.access.redhat.com/ubi9/go-toolset:1.25
ARG BASE_IMAGE=registry.access.redhat.com/ubi9/ubi-minimal:9.6

FROM ${BUILDER_IMAGE} AS builder
ARG GOFLAGS=""
USER root
# Install only what the build needs; no "dnf update": it adds minutes to every E2E build.
RUN dnf install -y git ca-certificates && dnf clean all
USER 1001
WORKDIR /opt/app-root/src
COPY --chown=1001:0 go.mod go.sum ./
RUN go mod download
COPY --chown=1001:0 . .
RUN CGO_ENABLED=0 GOFLAGS=${GOFLAGS} go build -o /tmp/gateway ./cmd/gateway

FROM ${BASE_IMAGE}
RUN microdnf install -y ca-certificates tzdata && microdnf clean all
COPY --from=builder /tmp/gateway /usr/local/bin/gateway
USER 1001
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/gateway"]
