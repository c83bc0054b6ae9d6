import { globToRegExp } from '../glob.js';
import { normalizeRepository } from '../image-ref.js';
import { z } from 'zod';
import type { RuleId, SeveritySetting } from './types.js';
import { RULES } from './rules.js';

/**
 * Schema of the `compliance:` section of hybrid-e2e.yaml. Everything is optional; objects are strict so that a typo
 * (`alowLatest`, `no-pakage-upgrade`) is a config error instead of a silently ignored key.
 */

const severitySetting = z
  .enum(['error', 'warning', 'off'])
  .describe('Severity override: "error" fails the run, "warning" is reported only, "off" disables the rule.');

/** A version constraint: comparators (>=, >, <=, <, =, ==, !=) and versions, separated by spaces or commas, all must hold. */
export const VERSION_CONSTRAINT_RE =
  /^\s*(?:(?:>=|<=|==|!=|>|<|=)?\s*v?\d+(?:\.\d+)*)(?:\s*,?\s*(?:>=|<=|==|!=|>|<|=)?\s*v?\d+(?:\.\d+)*)*\s*$/;

const versionConstraint = z
  .string()
  .regex(VERSION_CONSTRAINT_RE, 'expected a version constraint such as ">=1.25" or ">=9.4 <10"')
  .describe(
    'Version constraint on the numeric prefix of the image tag, e.g. ">=1.25" or ">=9.4, <10". Comparators: >=, >, <=, <, =, !=; ' +
      'all must hold; missing components count as 0 (1.25 == 1.25.0).',
  );

const repositoryPolicy = z
  .object({
    version: versionConstraint.optional(),
    allowLatest: z.boolean().optional().describe('Override baseImages.allowLatest for this repository.'),
    requireDigest: z.boolean().optional().describe('Override baseImages.requireDigest for this repository.'),
  })
  .strict()
  .describe('Policy for one repository.');

export const baseImagePolicySchema = z
  .object({
    allowLatest: z
      .boolean()
      .default(false)
      .describe('Allow FROM images with the mutable tag ":latest" (or no tag) when they are not pinned by digest. Default false.'),
    requireDigest: z
      .boolean()
      .default(false)
      .describe('Require every external FROM image to be pinned by digest (image@sha256:...). Default false.'),
    allowedRegistries: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'If non-empty, FROM images must come from one of these registries (e.g. "registry.access.redhat.com", "quay.io", "docker.io").',
      ),
    forbidden: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Repositories that must not be used, e.g. "docker.io/library/centos". "*" matches within one path segment, "**" across segments.',
      ),
    repositories: z
      .record(z.string().min(1), z.union([versionConstraint, repositoryPolicy]))
      .default({})
      .describe(
        'Per-repository policy keyed by repository without tag (e.g. "registry.access.redhat.com/ubi9/go-toolset"; "golang" means ' +
          '"docker.io/library/golang"; "*"/"**" globs allowed). The value is a version constraint string (">=1.25") or an object ' +
          '{ version, allowLatest, requireDigest }. The exact key wins over globs; among globs the first listed wins.',
      ),
  })
  .strict()
  .describe('Base image policy for the base-image-policy rule.');

const rulesSchema = z
  .object(
    Object.fromEntries(
      RULES.filter((r) => r.configurable).map((r) => [
        r.id,
        severitySetting.optional().describe(`${r.description} Default: ${r.defaultSeverity}.`),
      ]),
    ) as Record<RuleId, z.ZodOptional<typeof severitySetting>>,
  )
  .strict()
  .describe('Severity per rule id: error | warning | off.');

export const compliancePolicySchema = z
  .object({
    rules: rulesSchema.prefault({}),
    baseImages: baseImagePolicySchema.prefault({}),
  })
  .strict()
  .describe("Dockerfile compliance policy used by `hybrid-e2e lint` and the action's lint step.");

export type CompliancePolicy = z.infer<typeof compliancePolicySchema>;
export type CompliancePolicyInput = z.input<typeof compliancePolicySchema>;
export type BaseImagePolicy = z.infer<typeof baseImagePolicySchema>;

/** The policy used when hybrid-e2e.yaml has no `compliance:` section. */
export function defaultPolicy(): CompliancePolicy {
  return compliancePolicySchema.parse({});
}

// ---------------------------------------------------------------------------------------------------------------
// Compiled form (internal): cached per policy object so lintText stays cheap when called per file.

export interface RepoRule {
  version?: Comparator[];
  versionText?: string;
  allowLatest?: boolean;
  requireDigest?: boolean;
}

export interface Comparator {
  op: '>=' | '>' | '<=' | '<' | '=' | '!=';
  version: number[];
}

export interface CompiledPolicy {
  severity: Record<RuleId, SeveritySetting>;
  allowLatest: boolean;
  requireDigest: boolean;
  allowedRegistries: string[];
  forbidden: { pattern: string; re: RegExp | null }[];
  exact: Map<string, RepoRule>;
  globs: { pattern: string; re: RegExp; rule: RepoRule }[];
}

const cache = new WeakMap<object, CompiledPolicy>();
let defaultCompiled: CompiledPolicy | undefined;

export function compilePolicy(policy?: CompliancePolicy | CompliancePolicyInput): CompiledPolicy {
  if (!policy) return (defaultCompiled ??= build(defaultPolicy()));
  const hit = cache.get(policy);
  if (hit) return hit;
  // Accept both parsed (defaults applied) and raw input objects.
  const parsed = compliancePolicySchema.parse(policy);
  const compiled = build(parsed);
  cache.set(policy, compiled);
  return compiled;
}

function build(p: CompliancePolicy): CompiledPolicy {
  const severity = {} as Record<RuleId, SeveritySetting>;
  for (const r of RULES) severity[r.id] = p.rules[r.id] ?? r.defaultSeverity;
  const exact = new Map<string, RepoRule>();
  const globs: CompiledPolicy['globs'] = [];
  for (const [key, value] of Object.entries(p.baseImages.repositories)) {
    const rule: RepoRule = {};
    const versionText = typeof value === 'string' ? value : value.version;
    if (versionText !== undefined) {
      rule.versionText = versionText;
      rule.version = parseConstraint(versionText);
    }
    if (typeof value !== 'string') {
      if (value.allowLatest !== undefined) rule.allowLatest = value.allowLatest;
      if (value.requireDigest !== undefined) rule.requireDigest = value.requireDigest;
    }
    const repo = normalizeRepository(key);
    if (repo.includes('*')) globs.push({ pattern: key, re: globToRegExp(repo, 'any'), rule });
    else exact.set(repo, rule);
  }
  return {
    severity,
    allowLatest: p.baseImages.allowLatest,
    requireDigest: p.baseImages.requireDigest,
    allowedRegistries: p.baseImages.allowedRegistries.map((r) => r.toLowerCase().replace(/\/+$/, '')),
    forbidden: p.baseImages.forbidden.map((f) => {
      const n = normalizeRepository(f);
      return { pattern: n, re: n.includes('*') ? globToRegExp(n, 'any') : null };
    }),
    exact,
    globs,
  };
}

export function parseConstraint(text: string): Comparator[] {
  const out: Comparator[] = [];
  const re = /(>=|<=|==|!=|>|<|=)?\s*v?(\d+(?:\.\d+)*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const op = (m[1] === '==' || !m[1] ? '=' : m[1]) as Comparator['op'];
    out.push({ op, version: m[2]!.split('.').map(Number) });
  }
  return out;
}

export function compareVersions(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function satisfies(version: number[], constraint: Comparator[]): boolean {
  return constraint.every(({ op, version: v }) => {
    const c = compareVersions(version, v);
    switch (op) {
      case '>=':
        return c >= 0;
      case '>':
        return c > 0;
      case '<=':
        return c <= 0;
      case '<':
        return c < 0;
      case '=':
        return c === 0;
      case '!=':
        return c !== 0;
    }
  });
}

export function repoRuleFor(p: CompiledPolicy, repository: string): RepoRule | undefined {
  const exact = p.exact.get(repository);
  if (exact) return exact;
  for (const g of p.globs) if (g.re.test(repository)) return g.rule;
  return undefined;
}
