import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadConfig } from '../../../src/core/config/loader.js';
import { buildPlan, parseServiceList, selectServices } from '../../../src/core/plan/graph.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { UserError } from '../../../src/core/errors.js';
import { REPO_ROOT } from '../../helpers/tmp.js';

const example = () => loadConfig(path.join(REPO_ROOT, 'examples/kubernaut/hybrid-e2e.yaml'));

describe('service selection', () => {
  it('brings up the transitive closure over dependsOn, dependencies first', () => {
    expect(selectServices(example(), ['gateway'])).toEqual(['postgresql', 'redis', 'datastorage', 'gateway']);
    expect(selectServices(example(), ['datastorage'])).toEqual(['postgresql', 'redis', 'datastorage']);
    expect(selectServices(example(), ['redis'])).toEqual(['redis']);
  });

  it('selects every service when none is requested', () => {
    expect(selectServices(example(), [])).toHaveLength(11);
  });

  it('rejects unknown services with a suggestion', () => {
    expect(() => selectServices(example(), ['gatway'])).toThrow(UserError);
    expect(() => selectServices(example(), ['gatway'])).toThrow(/unknown service "gatway" \(did you mean "gateway"\?\)/);
  });

  it('parses comma, space and newline separated lists', () => {
    expect(parseServiceList('gateway, datastorage\nredis')).toEqual(['gateway', 'datastorage', 'redis']);
    expect(parseServiceList(['a,b', 'b'])).toEqual(['a', 'b']);
    expect(parseServiceList(undefined)).toEqual([]);
  });
});

describe('buildPlan', () => {
  it('creates the cluster only after every build, loads after cluster and own build, deploys after deps', () => {
    const plan = buildPlan(example(), ['gateway']);
    const byId = new Map(plan.tasks.map((t) => [t.id, t]));
    expect([...byId.keys()]).toEqual([
      'build:postgresql',
      'build:redis',
      'build:datastorage',
      'build:gateway',
      'cluster',
      'load:postgresql',
      'load:redis',
      'load:datastorage',
      'load:gateway',
      'deploy:postgresql',
      'deploy:redis',
      'deploy:datastorage',
      'deploy:gateway',
    ]);
    expect(byId.get('build:postgresql')).toMatchObject({ action: 'pull', image: 'postgres:16-alpine', deps: [] });
    expect(byId.get('build:gateway')).toMatchObject({ action: 'build', build: { image: 'localhost/kubernaut/gateway' }, deps: [] });
    // Every task carries its own spec: the deploy knows its manifests, namespace, timeout and the repository it uses.
    expect(byId.get('deploy:gateway')).toMatchObject({
      action: 'deploy',
      deploy: { namespace: 'kubernaut-system', waitTimeoutMs: 300_000, repository: 'localhost/kubernaut/gateway' },
    });
    expect(byId.get('cluster')).toMatchObject({ action: 'create', coverage: true, cluster: { waitTimeoutMs: 300_000 } });
    expect(byId.get('cluster')!.deps).toEqual(['build:postgresql', 'build:redis', 'build:datastorage', 'build:gateway']);
    expect(byId.get('load:gateway')!.deps).toEqual(['cluster', 'build:gateway']);
    expect(byId.get('deploy:datastorage')!.deps).toEqual(['load:datastorage', 'deploy:postgresql', 'deploy:redis']);
    expect(byId.get('deploy:gateway')!.deps).toEqual(['load:gateway', 'deploy:datastorage']);
  });

  it('renders text that names every task and its dependencies', () => {
    const loaded = example();
    const text = renderPlanText(buildPlan(loaded, ['datastorage']), loaded.dir);
    expect(text).toContain('Cluster: kubernaut-e2e-<run id> (start: after-builds)');
    expect(text).toMatch(/build:datastorage +docker\/datastorage\.Dockerfile → localhost\/kubernaut\/datastorage/);
    expect(text).toMatch(/cluster +kind create cluster +after: build:postgresql, build:redis, build:datastorage/);
    expect(text).toMatch(/deploy:datastorage .* after: load:datastorage, deploy:postgresql, deploy:redis/);
    expect(text).toContain('10 tasks.');
  });
});

describe('plan e2e matrix', () => {
  it('lists every service marked e2e, whatever the selection', () => {
    const plan = buildPlan(example(), ['redis']);
    expect(plan.e2eServices).toEqual([
      'gateway',
      'datastorage',
      'aianalysis',
      'notification',
      'signalprocessing',
      'remediationorchestrator',
      'workflowexecution',
      'effectivenessmonitor',
      'authwebhook',
    ]);
  });
});

describe('cluster start', () => {
  const history = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 1000]));
  it('is predictive by default when an earlier run timed the cluster and every image, else after the builds', () => {
    const all = ['cluster', 'build:postgresql', 'build:redis', 'build:datastorage', 'build:gateway'];
    expect(buildPlan(example(), ['gateway']).cluster.start).toBe('after-builds');
    const p = buildPlan(example(), ['gateway'], { history: history(all) });
    expect(p.cluster.start).toBe('predictive');
    // Predictive: the cluster does not wait for the builds in the graph; the start gate times it.
    expect(p.tasks.find((t) => t.id === 'cluster')!.deps).toEqual([]);
    expect(buildPlan(example(), ['gateway'], { history: history(all.slice(0, -1)) }).cluster.start).toBe('after-builds');
  });

  it('cluster.start in the config wins', () => {
    const c = example();
    const fixed = { ...c, cluster: { ...c.cluster, start: 'after-builds' as const } };
    const all = ['cluster', 'build:postgresql', 'build:redis', 'build:datastorage', 'build:gateway'];
    expect(buildPlan(fixed, ['gateway'], { history: history(all) }).cluster.start).toBe('after-builds');
  });
});
