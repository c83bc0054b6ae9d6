import type { RuleId, Severity } from './types.js';

export interface RuleMeta {
  id: RuleId;
  /** Human-readable name (PascalCase, for SARIF `name`). */
  name: string;
  defaultSeverity: Severity;
  /** One-line description. */
  description: string;
  /** Plain-text help: why and what to do. */
  help: string;
  /** Markdown help (SARIF `help.markdown`, docs). */
  helpMarkdown: string;
  /** Whether `hybrid-e2e lint --fix` can repair findings of this rule. */
  fixable: boolean;
}

export const WAIVER_EXAMPLE = '# hybrid-e2e ignore=no-package-upgrade reason="mandated by security scan policy"';

export const RULES: readonly RuleMeta[] = [
  {
    id: 'no-package-upgrade',
    name: 'NoPackageUpgrade',
    defaultSeverity: 'error',
    description:
      'RUN instructions must not upgrade all installed packages (dnf/yum/microdnf update, apt-get upgrade, apk upgrade, zypper update).',
    help:
      'A package upgrade inside a Dockerfile (dnf update, microdnf update, yum update, apt-get upgrade, apk upgrade, zypper update, ...) ' +
      'downloads metadata and rewrites layers on every uncached build: typically 5-10 minutes per image, multiplied by every service built in ' +
      'parallel, and the resulting image differs from build to build. Take fixes from a newer base image instead (pin a recent tag or digest and ' +
      'let a bot such as Dependabot or Renovate bump it). `hybrid-e2e lint --fix` removes the upgrade command and repairs the `&&`/`;` chain. ' +
      `If policy really requires the upgrade, waive it with a reason on the line above the instruction: ${WAIVER_EXAMPLE}`,
    helpMarkdown: [
      'A package upgrade inside a Dockerfile (`dnf update`, `microdnf update`, `yum update`, `apt-get upgrade`, `apk upgrade`, `zypper update`, ...)',
      'downloads metadata and rewrites layers on every uncached build: typically 5-10 minutes per image, multiplied by every service built in',
      'parallel, and the image differs from build to build.',
      '',
      '**Fix:** take fixes from a newer base image instead (pin a recent tag or digest and let Dependabot/Renovate bump it).',
      '`hybrid-e2e lint --fix` removes the upgrade command and repairs the `&&` / `;` chain:',
      '',
      '```dockerfile',
      '# before',
      'RUN dnf update -y && \\',
      '    dnf install -y git && \\',
      '    dnf clean all',
      '# after',
      'RUN dnf install -y git && \\',
      '    dnf clean all',
      '```',
      '',
      '**Waive** (still reported, never fails the run) with a comment directly above the instruction:',
      '',
      '```dockerfile',
      WAIVER_EXAMPLE,
      'RUN dnf update -y && dnf install -y git',
      '```',
    ].join('\n'),
    fixable: true,
  },
  {
    id: 'base-image-policy',
    name: 'BaseImagePolicy',
    defaultSeverity: 'warning',
    description:
      'FROM images must follow compliance.baseImages: no mutable :latest tag unless allowed, digest pinning when required, minimum versions per repository.',
    help:
      'Base images are checked against `compliance.baseImages` in hybrid-e2e.yaml: a FROM without a version tag (or with `:latest`) and without a ' +
      'digest is flagged unless `allowLatest` is true; `requireDigest` demands an `@sha256:` pin; per-repository constraints such as ' +
      '`registry.access.redhat.com/ubi9/go-toolset: ">=1.25"` require the tag version to satisfy the constraint; `forbidden` and ' +
      '`allowedRegistries` restrict where images may come from. Global ARG defaults are substituted and stage aliases are skipped.',
    helpMarkdown: [
      'Base images are checked against `compliance.baseImages` in `hybrid-e2e.yaml`:',
      '',
      '- a `FROM` without a version tag (or with `:latest`) and without a digest is flagged unless `allowLatest: true`;',
      '- `requireDigest: true` demands an `@sha256:` pin;',
      '- per-repository constraints such as `registry.access.redhat.com/ubi9/go-toolset: ">=1.25"` require the tag version to satisfy the constraint;',
      '- `forbidden` and `allowedRegistries` restrict where images may come from.',
      '',
      '`ARG` defaults declared before the first `FROM` are substituted; references to earlier stages (`FROM builder`) and `scratch` are skipped.',
    ].join('\n'),
    fixable: false,
  },
  {
    id: 'waiver-missing-reason',
    name: 'WaiverMissingReason',
    defaultSeverity: 'warning',
    description: 'A hybrid-e2e ignore= waiver must say why (reason="...").',
    help: `Waivers are reviewed like code: say why the rule does not apply. Add reason="..." to the comment, e.g. ${WAIVER_EXAMPLE}`,
    helpMarkdown: `Waivers are reviewed like code: say why the rule does not apply.\n\n\`\`\`dockerfile\n${WAIVER_EXAMPLE}\n\`\`\``,
    fixable: false,
  },
  {
    id: 'waiver-invalid',
    name: 'WaiverInvalid',
    defaultSeverity: 'warning',
    description: 'A hybrid-e2e waiver comment is malformed, names an unknown rule, or is not attached to an instruction.',
    help:
      'Waiver syntax: a comment directly above the instruction (other comment lines may sit between, blank lines may not): ' +
      `${WAIVER_EXAMPLE}. Several rule ids may be given comma-separated. Known rules: no-package-upgrade, base-image-policy.`,
    helpMarkdown:
      'Waiver syntax: a comment directly above the instruction (other comment lines may sit between, blank lines may not):\n\n' +
      `\`\`\`dockerfile\n${WAIVER_EXAMPLE}\n\`\`\`\n\nSeveral rule ids may be given comma-separated: \`ignore=no-package-upgrade,base-image-policy\`.`,
    fixable: false,
  },
];

export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);

/** Rules a waiver comment may name. */
export const WAIVABLE_RULES: ReadonlySet<string> = new Set<RuleId>(['no-package-upgrade', 'base-image-policy']);

export function ruleMeta(id: string): RuleMeta | undefined {
  return RULES.find((r) => r.id === id);
}
