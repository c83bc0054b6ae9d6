import type { Word } from './shell.js';

/** A simple command after stripping assignments and transparent prefixes (sudo, env, command, exec, nice, ...). */
export interface ResolvedCommand {
  /** Basename of the command word (`/usr/bin/dnf` -> `dnf`). */
  name: string;
  nameWord: Word;
  args: Word[];
}

const ASSIGNMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=/;

/** Is the word an assignment (`A=B`)? Decided on the raw text, since `A=$x` has no static value. */
export function isAssignment(src: string, w: Word): boolean {
  return ASSIGNMENT_RE.test(src.slice(w.start, Math.min(w.end, w.start + 256)));
}

function basename(v: string): string {
  const i = v.lastIndexOf('/');
  return i < 0 ? v : v.slice(i + 1);
}

/** Options taking a separate argument, per prefix command. */
const PREFIX_ARG_OPTS: Record<string, Set<string>> = {
  sudo: new Set([
    '-u',
    '-g',
    '-p',
    '-C',
    '-D',
    '-r',
    '-t',
    '-T',
    '-U',
    '-R',
    '-h',
    '--user',
    '--group',
    '--prompt',
    '--close-from',
    '--chdir',
    '--role',
    '--type',
    '--command-timeout',
    '--other-user',
    '--chroot',
    '--host',
  ]),
  env: new Set(['-u', '--unset', '-C', '--chdir']),
  exec: new Set(['-a']),
  nice: new Set(['-n', '--adjustment']),
  timeout: new Set(['-s', '--signal', '-k', '--kill-after']),
  stdbuf: new Set(['-i', '-o', '-e', '--input', '--output', '--error']),
  ionice: new Set(['-c', '-n', '-p', '-P', '-u', '--class', '--classdata', '--pid', '--pgid', '--uid']),
  chroot: new Set(['--userspec', '--groups']),
};
const PREFIXES = new Set([
  'sudo',
  'doas',
  'env',
  'command',
  'exec',
  'nice',
  'nohup',
  'time',
  'timeout',
  'stdbuf',
  'ionice',
  'chroot',
  'builtin',
]);

export function resolveCommand(src: string, words: Word[]): ResolvedCommand | null {
  let i = 0;
  while (i < words.length && isAssignment(src, words[i]!)) i++;
  for (let guard = 0; guard < 16; guard++) {
    const w = words[i];
    if (!w || w.value === null) return null;
    const name = basename(w.value);
    if (!PREFIXES.has(name)) return { name, nameWord: w, args: words.slice(i + 1) };
    i++;
    const argOpts = PREFIX_ARG_OPTS[name];
    // Options of the prefix command.
    while (i < words.length) {
      const v = words[i]!.value;
      if (v === null) return null;
      if (v === '--') {
        i++;
        break;
      }
      if (name === 'command' && (v === '-v' || v === '-V')) return null; // lookup, not execution
      if (name === 'env' && (v === '-S' || v === '--split-string' || v.startsWith('-S') || v.startsWith('--split-string='))) return null;
      if (!v.startsWith('-') || v === '-') {
        if (name === 'env' && v === '-') {
          i++;
          continue;
        }
        break;
      }
      if (/^-\d+$/.test(v) && name === 'nice') {
        i++;
        continue;
      }
      i += argOpts?.has(v) ? 2 : 1;
    }
    if (name === 'timeout') i++; // DURATION
    if (name === 'chroot') {
      i++; // NEWROOT
      if (i >= words.length) return null;
    }
    while (i < words.length && (name === 'env' || name === 'sudo' || name === 'doas') && isAssignment(src, words[i]!)) i++;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------

export interface UpgradeMatch {
  /** Package manager as written (basename), e.g. `microdnf`. */
  manager: string;
  /** Subcommand as written, e.g. `update`. */
  subcommand: string;
  /** Package arguments (a targeted upgrade), empty for a full upgrade. */
  packages: string[];
  /**
   * `all`: every installed package (fixable when nothing else is named); `advisory`: every installed package with an
   * advisory of a kind (`dnf update --security`); `packages`: the named packages only (never fixed automatically);
   * `all+install`: a full upgrade that also installs the named packages (`pacman -Syu git`: never fixed).
   */
  kind: 'all' | 'advisory' | 'packages' | 'all+install';
  /** For `advisory`: the filter as written (`--security`, `--sec-severity=Critical`). */
  filter?: string;
}

interface ManagerSpec {
  upgrades: Set<string>;
  /** Options that take a separate argument (when not written as --opt=value). */
  argOpts: Set<string>;
}

const DNF_ARG_OPTS = new Set([
  '-c',
  '--config',
  '-d',
  '--debuglevel',
  '-e',
  '--errorlevel',
  '-R',
  '--randomwait',
  '-x',
  '--exclude',
  '--excludepkgs',
  '--installroot',
  '--releasever',
  '--setopt',
  '--enablerepo',
  '--disablerepo',
  '--repo',
  '--repoid',
  '--repofrompath',
  '--disableexcludes',
  '--disableexcludepkgs',
  '--color',
  '--destdir',
  '--downloaddir',
  '--comment',
  '--advisory',
  '--advisories',
  '--bz',
  '--bzs',
  '--cve',
  '--cves',
  '--sec-severity',
  '--secseverity',
  '--forcearch',
  '--disableplugin',
  '--enableplugin',
  '--rpmverbosity',
  '--platform-module-id',
  '--use-host-config',
  '--from-repo',
  '--skip-unavailable-repo',
]);
const DNF_UPGRADES = new Set([
  'update',
  'upgrade',
  'up',
  'upgrade-to',
  'update-to',
  'localupdate',
  'upgrade-minimal',
  'update-minimal',
  'up-min',
  'distro-sync',
  'distrosync',
  'distribution-synchronization',
  'dsync',
]);
const dnf: ManagerSpec = { upgrades: DNF_UPGRADES, argOpts: DNF_ARG_OPTS };
const apt: ManagerSpec = {
  upgrades: new Set(['upgrade', 'dist-upgrade', 'full-upgrade']),
  argOpts: new Set([
    '-o',
    '--option',
    '-c',
    '--config-file',
    '-t',
    '--target-release',
    '--default-release',
    '-a',
    '--host-architecture',
    '-P',
    '--build-profiles',
  ]),
};
const aptitude: ManagerSpec = {
  upgrades: new Set(['upgrade', 'safe-upgrade', 'full-upgrade', 'dist-upgrade']),
  argOpts: new Set(['-o', '-t', '--target-release', '-F', '--display-format', '-w', '--width', '-S', '--sort']),
};
const apk: ManagerSpec = {
  upgrades: new Set(['upgrade']),
  argOpts: new Set([
    '-X',
    '--repository',
    '-p',
    '--root',
    '--arch',
    '--cache-dir',
    '--keys-dir',
    '--repositories-file',
    '--wait',
    '--timeout',
    '--cache-max-age',
    '--progress-fd',
  ]),
};
const zypper: ManagerSpec = {
  upgrades: new Set(['update', 'up', 'dist-upgrade', 'dup', 'patch']),
  argOpts: new Set([
    '-R',
    '--root',
    '-c',
    '--config',
    '-D',
    '--reposd-dir',
    '-C',
    '--cache-dir',
    '--raw-cache-dir',
    '--solv-cache-dir',
    '--pkg-cache-dir',
    '--userdata',
    '--installroot',
    '-t',
    '--type',
    '-r',
    '--repo',
    '--from',
  ]),
};

export const MANAGERS: Record<string, ManagerSpec> = {
  dnf,
  dnf5: dnf,
  dnf4: dnf,
  'dnf-3': dnf,
  yum: dnf,
  microdnf: dnf,
  tdnf: dnf,
  'apt-get': apt,
  apt,
  aptitude,
  apk,
  zypper,
};

/** dnf/yum advisory filters that still upgrade every matching installed package (fixable like a full upgrade). */
const ADVISORY_FILTERS: Record<string, string> = {
  '--security': 'a security advisory',
  '--bugfix': 'a bugfix advisory',
  '--enhancement': 'an enhancement advisory',
  '--newpackage': 'a newpackage advisory',
};
/** dnf/yum options naming advisories: the upgrade is targeted (like named packages). */
const ADVISORY_NAMES = new Set(['--advisory', '--advisories', '--bz', '--bzs', '--cve', '--cves']);
const SEVERITY_OPTS = new Set(['--sec-severity', '--secseverity']);

/** What a dnf advisory filter upgrades, for the message. */
export function advisoryScope(filter: string): string {
  const eq = filter.indexOf('=');
  const opt = eq < 0 ? filter.split(' ')[0]! : filter.slice(0, eq);
  if (SEVERITY_OPTS.has(opt)) return `a security advisory of severity ${eq < 0 ? filter.split(' ')[1] : filter.slice(eq + 1)}`;
  return ADVISORY_FILTERS[opt] ?? 'an advisory';
}

/** Does this command upgrade installed packages? Options may come before or after the subcommand. */
export function matchUpgrade(cmd: ResolvedCommand): UpgradeMatch | null {
  if (cmd.name === 'pacman') return matchPacman(cmd);
  const spec = MANAGERS[cmd.name];
  if (!spec) return null;
  let sub: string | null = null;
  const packages: string[] = [];
  let filter: string | undefined;
  let named = false;
  const args = cmd.args;
  const isDnf = spec === dnf;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null) {
      if (sub === null) return null; // dynamic subcommand: cannot tell
      packages.push(args[i]!.value ?? '$…');
      continue;
    }
    if (v === '--') {
      for (const a of args.slice(i + 1)) packages.push(a.value ?? '$…');
      break;
    }
    if (v.startsWith('-') && v.length > 1) {
      const opt = v.includes('=') ? v.slice(0, v.indexOf('=')) : v;
      if (isDnf && ADVISORY_NAMES.has(opt)) named = true;
      if (isDnf && !filter && (opt in ADVISORY_FILTERS || SEVERITY_OPTS.has(opt)))
        filter = SEVERITY_OPTS.has(opt) && !v.includes('=') ? `${v} ${args[i + 1]?.value ?? ''}`.trim() : v;
      if (!v.includes('=') && spec.argOpts.has(v)) i++;
      continue;
    }
    if (sub === null) {
      sub = v;
      if (!spec.upgrades.has(v)) return null;
      continue;
    }
    packages.push(v);
  }
  if (sub === null) return null;
  const kind = packages.length || named ? 'packages' : filter ? 'advisory' : 'all';
  return { manager: cmd.name, subcommand: sub, packages, kind, ...(kind === 'advisory' ? { filter: filter! } : {}) };
}

/** pacman options taking a separate argument. */
const PACMAN_ARG_OPTS = new Set([
  '-b',
  '--dbpath',
  '-r',
  '--root',
  '--arch',
  '--cachedir',
  '--color',
  '--config',
  '--gpgdir',
  '--hookdir',
  '--logfile',
  '--ignore',
  '--ignoregroup',
  '--assume-installed',
  '--overwrite',
  '--sysroot',
  '--print-format',
]);

/**
 * pacman: the sync operation (`-S`, `--sync`) with `-u`/`--sysupgrade` upgrades every installed package (`-Syu`,
 * `-Syyu`, `-Su`, `-S --sysupgrade`). `-Sy <pkg>` refreshes the databases and installs: not an upgrade of what is
 * installed (pacman's docs warn about such partial upgrades, but they are not this rule's concern).
 */
function matchPacman(cmd: ResolvedCommand): UpgradeMatch | null {
  let sync = false;
  let upgrade = false;
  let sub = '';
  const packages: string[] = [];
  const args = cmd.args;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null) {
      packages.push('$…');
      continue;
    }
    if (v === '--') {
      for (const a of args.slice(i + 1)) packages.push(a.value ?? '$…');
      break;
    }
    if (v.startsWith('--')) {
      if (v === '--sync') sync = true;
      else if (v === '--sysupgrade') upgrade = true;
      else if (!v.includes('=') && PACMAN_ARG_OPTS.has(v)) i++;
      if (v === '--sync' || v === '--sysupgrade') sub = sub ? `${sub} ${v}` : v;
      continue;
    }
    if (v.startsWith('-') && v.length > 1) {
      const letters = v.slice(1);
      if (/[DFQRTUV]/.test(letters)) return null; // another operation
      if (letters.includes('S')) sync = true;
      if (letters.includes('u')) upgrade = true;
      if (letters.includes('S') || letters.includes('u')) sub = sub ? `${sub} ${v}` : v;
      if (letters === 'r' || letters === 'b') i++;
      continue;
    }
    packages.push(v);
  }
  if (!sync || !upgrade) return null;
  return { manager: 'pacman', subcommand: sub, packages, kind: packages.length ? 'all+install' : 'all' };
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'posh', 'yash']);

export function isShell(name: string): boolean {
  return SHELLS.has(name);
}

/**
 * For a shell invocation: the index (into args) of the `-c` command string, `stdin` when the shell reads its script
 * from stdin (no script file operand), or null when it runs a script file.
 */
export function shellScriptSource(cmd: ResolvedCommand): number | 'stdin' | null {
  let args = cmd.args;
  let offset = 0;
  if (cmd.name === 'busybox') {
    if (!args[0] || args[0].value === null || !SHELLS.has(args[0].value)) return null;
    args = args.slice(1);
    offset = 1;
  }
  let dashC = false;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null) return dashC ? i + offset : null;
    if (v === '--') {
      const j = i + 1;
      if (dashC) return j < args.length ? j + offset : null;
      return j < args.length ? null : 'stdin';
    }
    if ((v.startsWith('-') || v.startsWith('+')) && v.length > 1) {
      if (v === '-o' || v === '+o' || v === '-O' || v === '+O' || v === '--rcfile' || v === '--init-file') {
        i++;
        continue;
      }
      if (!v.startsWith('--') && v.slice(1).includes('c')) dashC = true;
      else if (!v.startsWith('--') && v[0] === '-' && v.slice(1).includes('s')) return 'stdin'; // `sh -s [arg...]`
      continue;
    }
    if (dashC) return i + offset;
    return null; // script file
  }
  return dashC ? null : 'stdin';
}
