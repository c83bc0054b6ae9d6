/** Minimal unified diff (Myers O(ND) on lines), as printed by `hybrid-e2e lint --fix --dry-run`. */

type Op = { k: ' ' | '-' | '+'; line: string };

function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

function diffLines(a: string[], b: string[]): Op[] {
  // Trim common prefix/suffix first: fixes touch few lines.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const N = A.length;
  const M = B.length;
  const max = N + M;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1)) ? (v.get(k + 1) ?? 0) : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < N && y < M && A[x] === B[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= N && y >= M) break outer;
    }
  }
  // Backtrack.
  const ops: Op[] = [];
  let x = N;
  let y = M;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1)) ? k + 1 : k - 1;
    const prevX = vd.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ k: ' ', line: A[x]! });
    }
    if (d > 0) {
      if (x === prevX) ops.push({ k: '+', line: B[--y]! });
      else ops.push({ k: '-', line: A[--x]! });
    }
  }
  ops.reverse();
  return [
    ...a.slice(0, pre).map((line): Op => ({ k: ' ', line })),
    ...ops,
    ...a.slice(a.length - suf).map((line): Op => ({ k: ' ', line })),
  ];
}

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  const ops = diffLines(splitLines(oldText), splitLines(newText));
  let out = `--- ${oldName}\n+++ ${newName}\n`;
  // Group into hunks.
  let i = 0;
  const n = ops.length;
  const changed = (j: number): boolean => ops[j]!.k !== ' ';
  while (i < n) {
    while (i < n && !changed(i)) i++;
    if (i >= n) break;
    const start = Math.max(0, i - context);
    let end = i;
    for (;;) {
      while (end < n && changed(end)) end++;
      let next = end;
      while (next < n && !changed(next)) next++;
      if (next < n && next - end <= 2 * context) {
        end = next;
        continue;
      }
      end = Math.min(n, end + context);
      break;
    }
    let oldStart = 1;
    let newStart = 1;
    for (let j = 0; j < start; j++) {
      if (ops[j]!.k !== '+') oldStart++;
      if (ops[j]!.k !== '-') newStart++;
    }
    const hunk = ops.slice(start, end);
    const oldLen = hunk.filter((o) => o.k !== '+').length;
    const newLen = hunk.filter((o) => o.k !== '-').length;
    out += `@@ -${oldLen === 0 ? oldStart - 1 : oldStart},${oldLen} +${newLen === 0 ? newStart - 1 : newStart},${newLen} @@\n`;
    for (const o of hunk) out += `${o.k}${o.line}\n`;
    i = end;
  }
  return out;
}
