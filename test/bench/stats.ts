/** Small statistics for the benchmark: median and spread of a handful of samples. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summarise(xs: readonly number[]): Summary {
  const v = xs.filter((x) => Number.isFinite(x));
  return { n: v.length, median: median(v), min: v.length ? Math.min(...v) : NaN, max: v.length ? Math.max(...v) : NaN };
}

export const sec = (ms: number, digits = 1) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(digits)} s` : 'n/a');
export const ratio = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
export const mb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(1)} MB` : 'n/a');

/** `median (min–max)` for a summary, formatted by `f`. */
export function spread(s: Summary, f: (x: number) => string): string {
  if (s.n === 0) return 'n/a';
  return s.n === 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}
