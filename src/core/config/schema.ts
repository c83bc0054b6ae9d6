import { z } from 'zod';
import { compliancePolicySchema } from '../compliance/policy.js';
import { parseDuration } from '../duration.js';
import { parseSize } from '../size.js';

/** DNS-1123 label: what Kubernetes and kind accept as a name. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A repository reference without tag or digest (docker reference grammar, lower case). */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?';
export const IMAGE_REPOSITORY = new RegExp(`^${HOST}${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
export const IMAGE_REFERENCE = new RegExp(
  `^${HOST}${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);
const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WAIT_TARGET = /^[a-z][a-z0-9.]*\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const anyDuration = () =>
  z.union([z.string(), z.number()]).superRefine((v, ctx) => {
    if (parseDuration(v) === undefined) ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (use e.g. 90s, 5m, 1m30s)` });
  });
const DURATION_HELP = 'A duration: 90s, 5m, 1m30s, or a number of seconds.';
const duration = (dflt: string) => anyDuration().default(dflt).describe(DURATION_HELP);
/** A duration with no default: absent means not set. */
const optionalDuration = () => anyDuration().optional().describe(DURATION_HELP);

const relPath = z
  .string()
  .min(1)
  .refine((p) => !p.includes('\0') && !/[\r\n]/.test(p), 'a path may not contain newlines or NUL bytes')
  .describe('A path relative to the directory of hybrid-e2e.yaml.');

const buildSchema = z
  .object({
    context: relPath.default('.').describe('Build context, relative to the config file. Default ".".'),
    dockerfile: relPath.default('Dockerfile').describe('Dockerfile path, relative to the config file.'),
    image: z
      .string()
      .regex(IMAGE_REPOSITORY, 'must be an image repository without tag, e.g. localhost/kubernaut/gateway')
      .describe(
        'Image repository to build (no tag: the tool picks a run-unique tag). Manifests that reference this repository are rewritten to the built tag.',
      ),
    args: z
      .record(
        z.string().regex(BUILD_ARG_NAME, 'build arg names are letters, digits and _'),
        z.union([z.string(), z.number(), z.boolean()]).transform(String),
      )
      .default({})
      .describe('Build arguments (--build-arg).'),
    target: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/)
      .optional()
      .describe('Multi-stage target (--target).'),
    coverage: z.boolean().default(false).describe('Build with Go coverage: passes coverageArg=-cover and mounts a GOCOVERDIR hostPath.'),
    coverageArg: z.string().regex(BUILD_ARG_NAME).default('GOFLAGS').describe('Build arg that receives -cover when coverage is on.'),
  })
  .strict();

export const serviceSchema = z
  .object({
    image: z
      .string()
      .regex(IMAGE_REFERENCE, 'must be an image reference such as postgres:16-alpine')
      .optional()
      .describe('A prebuilt image: used locally if present, else pulled once, then loaded into the cluster. Never built.'),
    build: buildSchema.optional().describe("How to build this service's image."),
    manifests: z
      .array(relPath)
      .default([])
      .describe('Manifest files, directories, or kustomize directories (with kustomization.yaml), applied in order.'),
    namespace: z
      .string()
      .regex(DNS_LABEL, 'must be a DNS-1123 label')
      .default('default')
      .describe('Namespace the manifests are applied into (created if missing).'),
    dependsOn: z.array(z.string()).default([]).describe('Services that must be ready before this one is deployed.'),
    wait: z
      .array(z.string().regex(WAIT_TARGET, 'must be kind/name, e.g. deployment/datastorage'))
      .optional()
      .describe('What must be ready. Default: every Deployment/StatefulSet/DaemonSet in the manifests.'),
    waitTimeout: duration('5m').describe('How long to wait for readiness.'),
    e2e: z.boolean().default(false).describe("Include this service in the reusable workflow's default matrix."),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.image && s.build)
      ctx.addIssue({ code: 'custom', path: ['image'], message: 'a service has either "image" (prebuilt) or "build", not both' });
  });

export const clusterSchema = z
  .object({
    name: z
      .string()
      .regex(DNS_LABEL, 'must be a DNS-1123 label')
      .max(40, 'keep it under 40 characters: the run-unique suffix is added')
      .default('e2e')
      .describe('Base cluster name; made run-unique unless unique is false.'),
    unique: z.boolean().default(true).describe('Append a run-unique suffix so concurrent runs never share a cluster.'),
    kindConfig: relPath.optional().describe('kind cluster config (nodes, port mappings, mounts).'),
    nodeImage: z
      .string()
      .regex(IMAGE_REFERENCE, 'must be an image reference such as kindest/node:v1.31.0')
      .optional()
      .describe('kind node image (--image), ideally pinned by digest.'),
    hostPorts: z
      .enum(['keep', 'auto'])
      .default('keep')
      .describe(
        "keep: use the kind config's extraPortMappings hostPorts as written (a busy port fails fast with a hint). auto: give each mapping a free host port, so concurrent runs on one host never collide; the mapping is in the results (cluster.ports).",
      ),
    start: z
      .enum(['after-builds', 'predictive', 'with-builds'])
      .optional()
      .describe(
        'When to create the cluster relative to the builds. Default: predictive when durations of an earlier run are known (the baseline, --history), else after-builds.',
      ),
    crds: z.array(relPath).default([]).describe('CRD manifests applied once the cluster is ready, before any service.'),
    retries: z.number().int().min(0).max(5).default(2).describe('Extra attempts with a fresh cluster on known transient create failures.'),
    waitTimeout: duration('5m').describe('kind --wait and readiness gate timeout.'),
  })
  .strict();

export const buildsSchema = z
  .object({
    parallelism: z
      .union([z.literal('auto'), z.number().int().min(1).max(64)])
      .default('auto')
      .describe('Concurrent builds; auto derives it from CPUs and free memory.'),
    loadParallelism: z.number().int().min(1).max(4).default(2).describe('Concurrent image imports per node.'),
    keepCached: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe(
        'How many content-addressed images (<repository>:cache-<hash>) to keep per repository for reuse by later runs; older ones are removed after a successful run.',
      ),
    minFreeDisk: z
      .union([z.string(), z.number()])
      .refine((v) => parseSize(v) !== undefined, 'must be a size such as 10GiB, 500MB, or a number of bytes')
      .optional()
      .describe(
        'Free space the run needs where images and archives go (e.g. 10GiB, or bytes), checked before the builds. Default: twice the size of the images of the previous run (its results), else 2GiB.',
      ),
    cacheRef: z
      .string()
      .regex(IMAGE_REPOSITORY, 'must be an image repository without tag, e.g. ghcr.io/org/app-cache')
      .optional()
      .describe(
        'Registry repository for the layer cache of the `registry` cache backend (required with it), e.g. ghcr.io/org/app-cache: each image gets its own tag (buildx) or sub-repository (podman).',
      ),
    deployParallelism: z.number().int().min(1).max(64).default(8).describe('Concurrent deploys.'),
    retries: z
      .number()
      .int()
      .min(0)
      .max(3)
      .default(0)
      .describe('Extra attempts for a build whose process was killed or crashed (not for a failing RUN step).'),
  })
  .strict();

export const deploySchema = z
  .object({
    crashLoopRestarts: z
      .number()
      .int()
      .min(0)
      .max(50)
      .default(3)
      .describe(
        'A container in CrashLoopBackOff fails the deploy after this many restarts, or sooner when its next back-off would outlast the wait timeout. Until then the kubelet keeps restarting it (a service may crash while it warms up).',
      ),
    configErrorGrace: duration('60s').describe(
      'How long a container may report CreateContainerConfigError (e.g. a Secret that a later step creates) before the deploy fails.',
    ),
  })
  .strict();

export const reportSchema = z
  .object({
    budgets: z
      .object({
        setup: duration('6m'),
        build: duration('3m'),
        cluster: optionalDuration(),
        load: optionalDuration(),
        deploy: optionalDuration(),
      })
      .strict()
      .default({ setup: '6m', build: '3m' })
      .describe('Time budgets per phase; the summary flags phases over budget.'),
    regressionThreshold: z.number().min(0).default(0.2).describe('Flag a phase slower than the baseline by more than this fraction.'),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1, { error: 'version must be 1' }).describe('Config schema version. Always 1.'),
    cluster: clusterSchema.default(clusterSchema.parse({})),
    builds: buildsSchema.default(buildsSchema.parse({})),
    deploy: deploySchema.default(deploySchema.parse({})).describe('How deploys judge pods that are not ready yet.'),
    services: z.record(z.string(), serviceSchema).describe('Services by name (DNS-1123 labels).'),
    compliance: compliancePolicySchema.optional(),
    report: reportSchema.default(reportSchema.parse({})),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;

/** JSON Schema (draft 2020-12) for editors, generated from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://raw.githubusercontent.com/hybrid-e2e/hybrid-e2e-action/v1/dist/hybrid-e2e.schema.json',
    title: 'hybrid-e2e.yaml',
  };
}
