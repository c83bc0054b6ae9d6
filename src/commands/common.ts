/**
 * What the drivers (src/action, src/cli) use from core and render. The dependency rule lets a driver import only
 * commands, so the few shared values they need pass through here.
 */
export { DEFAULT_CONFIG_FILE, DEFAULT_REPORT, loadConfig, type ResolvedConfig } from '../core/config/loader.js';
export { errorMessage, UserError } from '../core/errors.js';
export { historyFromResults } from '../core/engine/predict.js';
export { parseServiceList } from '../core/plan/graph.js';
export { tempRoot } from '../core/run-id.js';
export { VERSION } from '../core/version.js';
export { fmtDuration } from '../render/summary.js';
export { phaseRecap } from '../render/recap.js';
export { renderLintText, unwaivedErrorCount } from '../render/lint-text.js';
