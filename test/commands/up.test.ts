import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { configYaml, REPO_FILES, testRepo, type TestRepo } from '../helpers/engine.js';
import { tempTree } from '../helpers/tmp.js';

let repo: TestRepo;
afterEach(() => repo?.cleanup());

describe('up: options checked against the config before anything runs', () => {
  it('the registry cache without builds.cacheRef is a config error at the builds section (exit 2)', async () => {
    repo = testRepo({ config: configYaml().replace('services:', 'builds:\n  parallelism: 2\nservices:') });
    const r = await cli(['up', '--config', 'hybrid-e2e.yaml', '--cache', 'registry'], { cwd: repo.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'hybrid-e2e up: hybrid-e2e.yaml:6:3: builds.cacheRef: the registry cache backend needs builds.cacheRef: the repository that keeps the layer cache, e.g. ghcr.io/org/app-cache (or use another cache backend)\n',
    );
  });

  it('without a builds section it points at the document', async () => {
    repo = testRepo();
    const r = await cli(['up', '--config', 'hybrid-e2e.yaml', '--cache', 'registry'], { cwd: repo.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hybrid-e2e up: hybrid-e2e.yaml:1:1: builds.cacheRef: the registry cache backend needs builds.cacheRef/);
  });

  it('a cacheRef that is not a repository is rejected when the config loads', async () => {
    const t = tempTree({
      ...REPO_FILES,
      'hybrid-e2e.yaml': configYaml().replace('services:', 'builds:\n  cacheRef: ghcr.io/org/cache:tag\nservices:'),
    });
    try {
      const r = await cli(['plan', '--config', 'hybrid-e2e.yaml'], { cwd: t.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/hybrid-e2e.yaml:6:13: builds.cacheRef: must be an image repository without tag/);
    } finally {
      t.cleanup();
    }
  });
});
