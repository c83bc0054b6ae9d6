/** SARIF 2.1.0 rendering of a lint report, ready for github/codeql-action/upload-sarif. Pure. */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Finding, LintReport, RuleMeta } from '../core/compliance/lint-files.js';

export interface SarifOptions {
  /** The rules the report's findings come from (compliance RULES), described in the log's tool section. */
  rules: readonly RuleMeta[];
  /** Tool version (package version). */
  toolVersion?: string;
  informationUri?: string;
  /** Absolute directory the finding paths are relative to; emitted as the %SRCROOT% base URI. */
  srcRoot?: string;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const FINGERPRINT_KEY = 'hybridE2eFinding/v1';

type Json = Record<string, unknown>;

function fileUri(rel: string): string {
  return rel
    .split('/')
    .map((seg) => (seg === '..' || seg === '.' ? seg : encodeURIComponent(seg)))
    .join('/');
}

/** Stable across line moves: rule, file, message, and the occurrence number of that triple in the file. */
function fingerprint(f: Finding, occurrence: number): string {
  return createHash('sha256').update(`${f.rule}\0${f.file}\0${f.message}\0${occurrence}`).digest('hex').slice(0, 32);
}

export function renderSarif(report: LintReport, opts: SarifOptions): Json {
  const rules = opts.rules.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: r.description },
    fullDescription: { text: r.help },
    help: { text: r.help, markdown: r.helpMarkdown },
    defaultConfiguration: { level: r.defaultSeverity },
    properties: {
      tags: ['dockerfile', 'hybrid-e2e', r.id === 'no-package-upgrade' || r.id === 'base-image-policy' ? 'build-performance' : 'waiver'],
      precision: 'very-high',
    },
  }));
  const ruleIndex = new Map(opts.rules.map((r, i) => [r.id as string, i]));
  const seen = new Map<string, number>();
  const results = report.findings.map((f) => {
    const key = `${f.rule}\0${f.file}\0${f.message}`;
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    const region: Json = { startLine: f.line, endLine: Math.max(f.line, f.endLine) };
    if (f.column !== undefined) region.startColumn = f.column;
    const result: Json = {
      ruleId: f.rule,
      level: f.severity,
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: fileUri(f.file), ...(opts.srcRoot ? { uriBaseId: '%SRCROOT%' } : {}) },
            region,
          },
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f, occurrence) },
    };
    const idx = ruleIndex.get(f.rule);
    if (idx !== undefined) result.ruleIndex = idx;
    if (f.waived) result.suppressions = [{ kind: 'inSource', status: 'accepted', ...(f.reason ? { justification: f.reason } : {}) }];
    return result;
  });
  const driver: Json = { name: 'hybrid-e2e', rules };
  if (opts.toolVersion) driver.version = opts.toolVersion;
  if (opts.informationUri) driver.informationUri = opts.informationUri;
  const run: Json = { tool: { driver }, results, columnKind: 'utf16CodeUnits' };
  if (opts.srcRoot) {
    let uri = pathToFileURL(opts.srcRoot).href;
    if (!uri.endsWith('/')) uri += '/';
    run.originalUriBaseIds = { '%SRCROOT%': { uri } };
  }
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}
