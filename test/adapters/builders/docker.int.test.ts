import { execFileSync } from 'node:child_process';
import { describe, expect } from 'vitest';
import { detectBuilder } from '../../../src/adapters/builders/detect.js';
import { DockerBuilder } from '../../../src/adapters/builders/docker.js';
import { builderSuite } from './suite.js';
import { DOCKER_BUILTIN_BUILDKIT, DOCKER_V28_NO_BUILDX, has } from './helpers.js';

const env = { ...process.env };

describe('docker with built-in BuildKit (/usr/bin/docker 20.10, no buildx)', () => {
  builderSuite({
    repo: 'localhost/hybrid-e2e-test/bk',
    pullFailure: true,
    builder: async () => {
      const d = await detectBuilder('docker', { env: { ...env, HYBRID_E2E_DOCKER: DOCKER_BUILTIN_BUILDKIT }, cacheBackend: 'none' });
      expect(d.builder.caps.kind).toBe('buildkit');
      return d.builder;
    },
  });
});

describe('docker legacy builder', () => {
  builderSuite({
    repo: 'localhost/hybrid-e2e-test/legacy',
    // tag/rm/save/pull are the same docker commands whatever the builder: covered by the BuildKit suite.
    imageOps: false,
    builder: async () => {
      if (has(DOCKER_V28_NO_BUILDX)) {
        // A >= 23 client without the buildx plugin: detection must fall back to the legacy builder.
        const d = await detectBuilder('docker', { env: { ...env, HYBRID_E2E_DOCKER: DOCKER_V28_NO_BUILDX }, cacheBackend: 'none' });
        expect(d.builder.caps.kind).toBe('legacy');
        return d.builder;
      }
      // Machines without the v28 client: drive the 20.10 client's legacy builder (DOCKER_BUILDKIT=0).
      const d = await detectBuilder('docker', { env: { ...env, HYBRID_E2E_DOCKER: DOCKER_BUILTIN_BUILDKIT }, cacheBackend: 'none' });
      return new DockerBuilder({ ...d.builder.caps, kind: 'legacy' }, env);
    },
    cleanup: async (lines) => {
      // A failed or cancelled legacy build keeps the intermediate images of the steps before it (` ---> <id>`);
      // ours are unique (marker file). Shared ones (still parents of other images) refuse removal without -f.
      const ids = lines.map((l) => /^ ---> ([0-9a-f]{12})$/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
      for (const id of ids.reverse()) {
        try {
          execFileSync(DOCKER_BUILTIN_BUILDKIT, ['image', 'rm', id], { stdio: 'ignore' });
        } catch {
          /* in use by another image, or already gone with its child */
        }
      }
    },
  });
});
