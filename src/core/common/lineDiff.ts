/**
 * A unified diff of two texts, line by line (`--- left`, `+++ right`, `@@` hunks with context), for answers that
 * must be text (agent tools). The table of common subsequences costs left × right cells: above MAX_CELLS the
 * diff says the texts differ whole rather than blocking the caller.
 */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

function operations(a: readonly string[], b: readonly string[]): Op[] | undefined {
  // Common prefix and suffix first: most diffs of one object are a few lines in a long text.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_CELLS) return undefined;
  // lcs[i][j]: the longest common subsequence of a[start+i..endA) and b[start+j..endB).
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[start + i] === b[start + j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const ops: Op[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      ops.push({ kind: ' ', line: a[start + i]! });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      ops.push({ kind: '-', line: a[start + i]! });
      i++;
    } else {
      ops.push({ kind: '+', line: b[start + j]! });
      j++;
    }
  }
  for (const line of a.slice(endA)) ops.push({ kind: ' ', line });
  return ops;
}

function linesOf(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** '' when the texts are equal. */
export function unifiedDiff(
  left: string,
  right: string,
  names = { left: 'live', right: 'after' },
  context = 3,
): string {
  if (left === right) return '';
  const a = linesOf(left);
  const b = linesOf(right);
  const ops = operations(a, b);
  const header = [`--- ${names.left}`, `+++ ${names.right}`];
  if (!ops) {
    return [...header, `@@ -1,${a.length} +1,${b.length} @@ (too large to compare line by line)`]
      .concat(
        a.map((l) => `-${l}`),
        b.map((l) => `+${l}`),
      )
      .join('\n');
  }
  const out = header;
  // Positions (in ops) of changed lines, grouped into hunks whose context overlaps.
  const changed = ops.map((op, k) => (op.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  let k = 0;
  while (k < changed.length) {
    let last = k;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! <= 2 * context + 1) last++;
    const from = Math.max(0, changed[k]! - context);
    const to = Math.min(ops.length, changed[last]! + context + 1);
    let lineA = 1;
    let lineB = 1;
    for (const op of ops.slice(0, from)) {
      if (op.kind !== '+') lineA++;
      if (op.kind !== '-') lineB++;
    }
    const hunk = ops.slice(from, to);
    const countA = hunk.filter((op) => op.kind !== '+').length;
    const countB = hunk.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${countA === 0 ? lineA - 1 : lineA},${countA} +${countB === 0 ? lineB - 1 : lineB},${countB} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
    k = last + 1;
  }
  return out.join('\n');
}
