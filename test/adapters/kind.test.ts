import { afterEach, describe, expect, it } from 'vitest';
import { Kind } from '../../src/adapters/kind.js';
import { ToolError } from '../../src/core/errors.js';
import { recorders, type Recorders } from '../helpers/recorder.js';

let rec: Recorders;
afterEach(() => rec?.cleanup());

describe('kind adapter', () => {
  it('create: the run kubeconfig, --wait from the config in seconds, retain, config and node image', async () => {
    rec = recorders();
    rec.add('kind');
    await new Kind('kind', 'docker', rec.env).create({
      name: 'e2e-1',
      kubeconfig: '/run/kubeconfig',
      waitMs: 420_000,
      retain: true,
      config: '/run/kind.yaml',
      nodeImage: 'kindest/node:v1.32.2',
    });
    expect(rec.calls()[0]!.argv).toEqual([
      'create',
      'cluster',
      '--name',
      'e2e-1',
      '--kubeconfig',
      '/run/kubeconfig',
      '--wait',
      '420s',
      '--retain',
      '--config',
      '/run/kind.yaml',
      '--image',
      'kindest/node:v1.32.2',
    ]);
  });

  it('delete always names the run kubeconfig (kind would otherwise edit ~/.kube/config)', async () => {
    rec = recorders();
    rec.add('kind');
    await new Kind('kind', 'docker', rec.env).delete('e2e-1', '/run/kubeconfig');
    expect(rec.calls()[0]!.argv).toEqual(['delete', 'cluster', '--name', 'e2e-1', '--kubeconfig', '/run/kubeconfig']);
  });

  it('every call carries the provider of the engine: podman sets KIND_EXPERIMENTAL_PROVIDER, docker unsets it', async () => {
    rec = recorders();
    rec.add('kind');
    const env = { ...rec.env, KIND_EXPERIMENTAL_PROVIDER: 'podman' };
    await new Kind('kind', 'docker', env).loadImageArchive('/t/a.tar', 'e2e-1');
    await new Kind('kind', 'podman', rec.env).exportLogs('/d', 'e2e-1');
    expect(rec.calls().map((c) => [c.argv, c.env.KIND_EXPERIMENTAL_PROVIDER])).toEqual([
      [['load', 'image-archive', '/t/a.tar', '--name', 'e2e-1'], null],
      [['export', 'logs', '/d', '--name', 'e2e-1'], 'podman'],
    ]);
  });

  it('a failing call is a ToolError naming the verb, with kind output kept for classification', async () => {
    rec = recorders();
    rec.add('kind', [{ stderr: 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "e2e-1"\n', exit: 1 }]);
    const err = await new Kind('kind', 'docker', rec.env)
      .create({ name: 'e2e-1', kubeconfig: '/k', waitMs: 1000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).message).toBe(
      'kind create cluster exited with 1:\nERROR: failed to create cluster: node(s) already exist for a cluster with the name "e2e-1"',
    );
    expect((err as ToolError).output).toContain('already exist');
  });

  it('a missing kind says so and what to do', async () => {
    await expect(new Kind('/nonexistent/kind').delete('x', '/k')).rejects.toThrow(
      '/nonexistent/kind: command not found on PATH; install it',
    );
  });
});
