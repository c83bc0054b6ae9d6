/**
 * Lint throughput benchmark: generates 10,000 realistic Dockerfiles (multi-stage UBI/Debian/Alpine builds with
 * continuations, heredocs, JSON-form RUNs, waivers, ARG-substituted FROMs) in a temp dir, then times discovery +
 * lint of all of them, as `hybrid-e2e lint <dir>` does.
 *
 *   npx tsx test/bench/lint.bench.ts [--files N]
 *
 * Prints one JSON line: {"bench":"lint","files":N,"seconds":S,"filesPerSecond":X}. Target: >= 5,000 files/s.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverDockerfiles, lintFiles } from '../../src/core/compliance/lint-files.js';

const argIdx = process.argv.indexOf('--files');
const FILES = argIdx > 0 ? Number(process.argv[argIdx + 1]) : 10_000;
const PER_DIR = 100;

let seed = 0x2545f491;
function rand(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}
function pick<T>(xs: readonly T[]): T {
  return xs[rand(xs.length)]!;
}

const BUILDERS = [
  'registry.access.redhat.com/ubi9/go-toolset:1.25',
  'registry.access.redhat.com/ubi9/go-toolset:1.24',
  'golang:1.23-bookworm',
  '${BUILDER_IMAGE}',
];
const RUNTIMES = [
  'registry.access.redhat.com/ubi9/ubi-minimal:latest',
  'registry.access.redhat.com/ubi9/ubi-minimal:9.5',
  'debian:bookworm-slim',
  'alpine:3.20',
  '${BASE_IMAGE}',
];
const INSTALLS = [
  (i: string) => `RUN dnf update -y && \\\n${i}dnf install -y git ca-certificates tzdata && \\\n${i}dnf clean all`,
  (i: string) => `RUN dnf install -y git make gcc && \\\n${i}dnf clean all`,
  (i: string) =>
    `# hybrid-e2e ignore=no-package-upgrade reason="mandated by security scan policy"\nRUN microdnf update -y && \\\n${i}microdnf install -y ca-certificates && \\\n${i}microdnf clean all`,
  (i: string) =>
    `RUN apt-get update && \\\n${i}apt-get -y --no-install-recommends install curl ca-certificates && \\\n${i}rm -rf /var/lib/apt/lists/*`,
  (i: string) => `RUN set -eux; \\\n${i}apt-get update; \\\n${i}apt-get -y dist-upgrade; \\\n${i}apt-get install -y curl`,
  () => `RUN apk add --no-cache ca-certificates tzdata`,
  () => `RUN ["microdnf", "install", "-y", "shadow-utils"]`,
  () => `RUN <<EOF\nset -e\nmicrodnf update -y\nmicrodnf install -y tzdata\nmicrodnf clean all\nEOF`,
  (i: string) => `RUN --mount=type=cache,target=/var/cache/dnf \\\n${i}sudo -E dnf -y --refresh upgrade && echo "dnf update done"`,
];
const BUILD = (i: string, svc: string) =>
  `RUN if [ "\${GOFLAGS}" = "-cover" ]; then \\\n${i}echo "Building with coverage instrumentation..."; \\\n${i}CGO_ENABLED=0 GOOS=\${GOOS} GOARCH=\${GOARCH} GOFLAGS="\${GOFLAGS}" go build \\\n${i}-mod=mod \\\n${i}-ldflags="-X main.Version=\${VERSION} -X main.GitCommit=\${GIT_COMMIT}" \\\n${i}-o ${svc} ./cmd/${svc}; \\\n${i}else \\\n${i}echo "Building production binary (with symbol stripping)..."; \\\n${i}CGO_ENABLED=0 GOOS=\${GOOS} GOARCH=\${GOARCH} go build \\\n${i}-mod=mod \\\n${i}-ldflags="-s -w -X main.Version=\${VERSION}" \\\n${i}-a -installsuffix cgo \\\n${i}-o ${svc} ./cmd/${svc}; \\\n${i}fi`;

function dockerfile(n: number): string {
  const svc = `service-${n}`;
  const i = pick(['    ', '\t', '  ']);
  const lines = [
    `# ${svc} - Multi-Architecture Dockerfile`,
    '#',
    `# Build: podman build -t ${svc}:dev -f docker/${svc}.Dockerfile .`,
    '',
    'ARG BUILDER_IMAGE=registry.access.redhat.com/ubi9/go-toolset:1.25@sha256:ad1d5e19331fc80c28a6193c1f8489af93b8f54d06766f174de6d4ce1ec6a191',
    'ARG BASE_IMAGE=registry.access.redhat.com/ubi9/ubi-minimal:latest',
    '',
    `FROM ${pick(BUILDERS)} AS builder`,
    'USER root',
    '',
    '# Install build dependencies (dnf update required for security compliance)',
    pick(INSTALLS)(i),
    '',
    'USER 1001',
    'WORKDIR /opt/app-root/src',
    'COPY --chown=1001:0 go.mod go.sum ./',
    'COPY --chown=1001:0 . .',
    'ARG VERSION=dev',
    'ARG GIT_COMMIT=unknown',
    'ARG GOOS=linux',
    'ARG GOARCH=${TARGETARCH:-amd64}',
    'ARG GOFLAGS=""',
    '',
    BUILD(i, svc),
    '',
    `FROM ${pick(RUNTIMES)}`,
    pick(INSTALLS)(i),
    `RUN useradd -r -u 1001 -g root ${svc}-user`,
    `COPY --from=builder /opt/app-root/src/${svc} /usr/local/bin/${svc}`,
    `RUN chmod +x /usr/local/bin/${svc}`,
    'USER 1001',
    'EXPOSE 8080 9090',
    'HEALTHCHECK --interval=30s --timeout=10s CMD ["/usr/bin/curl", "-f", "http://localhost:8080/health"] || exit 1',
    `ENTRYPOINT ["/usr/local/bin/${svc}"]`,
    `LABEL name="kubernaut-${svc}" \\`,
    `${i}vendor="Kubernaut" \\`,
    `${i}summary="${svc}" \\`,
    `${i}io.openshift.tags="kubernaut,${svc},microservice"`,
    '',
  ];
  return lines.join('\n');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'hybrid-e2e-lint-bench-'));
try {
  // Layout: 100 files per directory, named like real repos do (svc.Dockerfile, svc.Containerfile, Dockerfile.svc),
  // every tenth one in its own sub-directory as Dockerfile/Containerfile; plus non-Dockerfiles and a .gitignore.
  writeFileSync(path.join(dir, '.gitignore'), 'ignored/\n*.tmp\n');
  for (let n = 0; n < FILES; n++) {
    const d = path.join(dir, `svc-${Math.floor(n / PER_DIR)}`);
    let file: string;
    if (n % 10 === 9) {
      mkdirSync(path.join(d, `s${n}`), { recursive: true });
      file = path.join(d, `s${n}`, pick(['Dockerfile', 'Containerfile']));
    } else {
      mkdirSync(d, { recursive: true });
      file = path.join(d, pick([`s${n}.Dockerfile`, `s${n}.Containerfile`, `Dockerfile.s${n}`]));
    }
    writeFileSync(file, dockerfile(n));
    if (n % 10 === 0) writeFileSync(path.join(d, `s${n}.md`), `# s${n}\n`);
  }
  const t0 = performance.now();
  const files = await discoverDockerfiles([dir], { cwd: dir });
  const report = await lintFiles(files, { cwd: dir });
  const seconds = (performance.now() - t0) / 1000;
  if (report.files !== FILES) throw new Error(`expected ${FILES} files, linted ${report.files}`);
  if (!report.findings.some((f) => f.rule === 'no-package-upgrade' && !f.waived)) throw new Error('benchmark corpus produced no findings');
  console.log(
    JSON.stringify({
      bench: 'lint',
      files: report.files,
      seconds: Number(seconds.toFixed(3)),
      filesPerSecond: Math.round(report.files / seconds),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
