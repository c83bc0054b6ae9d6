import * as core from '@actions/core';
import { UserError } from '../commands/common.js';

export type Command = 'up' | 'lint' | 'plan' | 'down' | 'report' | 'build';
export const COMMANDS: readonly Command[] = ['up', 'lint', 'plan', 'down', 'report', 'build'];

export interface ActionInputs {
  config: string;
  services: string;
  command: Command;
  githubToken: string;
  engine: 'auto' | 'docker' | 'podman';
  cache: 'gha' | 'local' | 'registry' | 'none';
  failOnViolation: boolean;
  keepClusterOnFailure: boolean;
  comment: boolean;
  /** report: results files or directories to aggregate instead of this run's artifacts (newline/comma separated). */
  results: string[];
  /** Pinned tool versions to install (empty: use PATH, install the default version if missing). */
  kindVersion: string;
  kubectlVersion: string;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`input "${name}" is "${value}"; use one of: ${allowed.join(', ')}.`);
}

function bool(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off', ''].includes(v)) return false;
  throw new UserError(`input "${name}" is "${value}"; use true or false.`);
}

/** `v1.2.3` (a leading v is added); empty stays empty. */
function version(name: string, value: string): string {
  const v = value.trim();
  if (!v) return '';
  if (!/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(v))
    throw new UserError(`input "${name}" is "${value}"; use a release version such as v1.2.3.`);
  return v.startsWith('v') ? v : `v${v}`;
}

/** Reads and validates every input; a bad value is a UserError naming the input. */
export function readInputs(): ActionInputs {
  const token = core.getInput('github-token');
  if (token) core.setSecret(token);
  return {
    config: core.getInput('config') || 'hybrid-e2e.yaml',
    services: core.getInput('service'),
    command: oneOf('command', core.getInput('command') || 'up', COMMANDS),
    githubToken: token,
    engine: oneOf('engine', core.getInput('engine') || 'auto', ['auto', 'docker', 'podman'] as const),
    cache: oneOf('cache', core.getInput('cache') || 'gha', ['gha', 'local', 'registry', 'none'] as const),
    failOnViolation: bool('fail-on-violation', core.getInput('fail-on-violation')),
    keepClusterOnFailure: bool('keep-cluster-on-failure', core.getInput('keep-cluster-on-failure')),
    comment: bool('comment', core.getInput('comment') || 'true'),
    results: core
      .getInput('results')
      .split(/[\n,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
    kindVersion: version('kind-version', core.getInput('kind-version')),
    kubectlVersion: version('kubectl-version', core.getInput('kubectl-version')),
  };
}
