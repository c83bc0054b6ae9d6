import { describe, expect, it } from 'vitest';
import { defaultWaitTargets, parseManifests, rewriteImages } from '../../../src/core/engine/manifests.js';
import { normalizeRepository as normaliseRepo, splitImageRef } from '../../../src/core/image-ref.js';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: { name: gateway }
spec:
  selector: { matchLabels: { app: gateway } }
  template:
    metadata: { labels: { app: gateway } }
    spec:
      initContainers:
        - { name: migrate, image: "localhost/kubernaut/gateway:latest" }
      containers:
        - { name: gateway, image: "localhost/kubernaut/gateway:latest", imagePullPolicy: Never }
        - { name: sidecar, image: "localhost/kubernaut/gateway-sidecar:1" }
        - { name: other, image: "docker.io/library/redis:7" }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: job, image: "localhost/kubernaut/gateway@sha256:${'a'.repeat(64)}" }]
---
apiVersion: v1
kind: List
items:
  - { apiVersion: apps/v1, kind: StatefulSet, metadata: { name: db }, spec: { template: { spec: { containers: [{ name: db, image: redis }] } } } }
  - { apiVersion: v1, kind: Service, metadata: { name: gateway }, spec: { selector: { app: gateway } } }
`;

describe('image references', () => {
  it('splits repository from tag and digest, including registry ports', () => {
    expect(splitImageRef('localhost:5000/a/b:1.2')).toEqual({ name: 'localhost:5000/a/b', tag: '1.2' });
    expect(splitImageRef('localhost:5000/a/b')).toEqual({ name: 'localhost:5000/a/b' });
    expect(splitImageRef('redis@sha256:abc')).toEqual({ name: 'redis', digest: 'sha256:abc' });
    expect(splitImageRef('redis:7@sha256:abc')).toEqual({ name: 'redis', tag: '7', digest: 'sha256:abc' });
  });

  it('normalises repositories like containerd', () => {
    expect(normaliseRepo('redis')).toBe('docker.io/library/redis');
    expect(normaliseRepo('kubernaut/gateway')).toBe('docker.io/kubernaut/gateway');
    expect(normaliseRepo('localhost/kubernaut/gateway')).toBe('localhost/kubernaut/gateway');
    expect(normaliseRepo('quay.io/x/y')).toBe('quay.io/x/y');
    // One normaliser for manifests and the base image policy: legacy Docker Hub names and case fold too.
    expect(normaliseRepo('index.docker.io/library/redis')).toBe('docker.io/library/redis');
    expect(normaliseRepo('Quay.io/X/Y')).toBe('quay.io/x/y');
  });
});

describe('rewriteImages', () => {
  it('rewrites every container of the built repository (init, CronJob, digest) and sets IfNotPresent', () => {
    const objs = parseManifests(MANIFEST, 'm.yaml');
    const ref = 'localhost/kubernaut/gateway:e2e-run1-abcdef12';
    const rw = rewriteImages(objs, 'localhost/kubernaut/gateway', ref);
    expect(rw.map((r) => `${r.object}/${r.container}`)).toEqual([
      'Deployment/gateway/migrate',
      'Deployment/gateway/gateway',
      'CronJob/nightly/job',
    ]);
    const dep = objs[0] as { spec: { template: { spec: { containers: Array<{ image: string; imagePullPolicy?: string }> } } } };
    expect(dep.spec.template.spec.containers[0]).toMatchObject({ image: ref, imagePullPolicy: 'IfNotPresent' });
    expect(dep.spec.template.spec.containers[1]!.image).toBe('localhost/kubernaut/gateway-sidecar:1');
    expect(dep.spec.template.spec.containers[2]!.image).toBe('docker.io/library/redis:7');
    expect(rw.every((r) => !r.warning)).toBe(true);
  });

  it('treats docker.io/library/x and x as the same repository', () => {
    const objs = parseManifests(MANIFEST, 'm.yaml');
    expect(rewriteImages(objs, 'redis', 'redis:e2e-1').map((r) => r.from)).toEqual(['docker.io/library/redis:7', 'redis']);
  });

  it('rewrites and warns when the manifest lacks the localhost/ prefix of the built image', () => {
    const objs = parseManifests(MANIFEST.replaceAll('localhost/kubernaut/gateway:latest', 'kubernaut/gateway:latest'), 'm.yaml');
    const rw = rewriteImages(objs, 'localhost/kubernaut/gateway', 'localhost/kubernaut/gateway:e2e-1');
    expect(rw).toHaveLength(3);
    expect(rw[0]!.warning).toMatch(
      /uses "kubernaut\/gateway:latest", but the image is built as "localhost\/kubernaut\/gateway".*ErrImageNeverPull/,
    );
  });
});

describe('defaultWaitTargets', () => {
  it('waits for every Deployment, StatefulSet and DaemonSet, including List items', () => {
    expect(defaultWaitTargets(parseManifests(MANIFEST, 'm.yaml'))).toEqual(['deployment/gateway', 'statefulset/db']);
  });

  it('reports invalid YAML with the source', () => {
    expect(() => parseManifests('a: [', 'bad.yaml')).toThrow(/^bad\.yaml: invalid YAML/);
  });
});
