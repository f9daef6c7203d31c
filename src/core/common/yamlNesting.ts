/**
 * How deeply a YAML text nests, estimated in one linear pass without parsing. YAML parsers and the code that walks
 * their trees recurse once per level: a few thousand levels (`a:` indented line after line, or `[[[[…]]]]`) overflow
 * the stack. This runs first, so such a document is refused before any parser sees it.
 *
 * The estimate counts block levels by indentation (a `- ` entry opens one more) and flow levels by brackets
 * outside quotes and comments; block scalars (`|`, `>`) are skipped. It is close to the real depth for ordinary
 * files and never far below it, which is what a guard needs: callers refuse above their limit, and the parsers
 * stay safe up to several times that limit.
 */
/** Deeper than this, YAML is not parsed: real manifests and kubeconfigs nest a few dozen levels at most. */
export const NESTING_LIMIT = 100;

export function nestingEstimate(text: string): number {
  return scan(text, Number.POSITIVE_INFINITY).depth;
}

/**
 * Where `text` first nests deeper than `limit` (the offset of that line's start), or undefined when it never does.
 * Stops reading there: a hostile file costs no more than the part before its too-deep line.
 */
export function nestedDeeperThan(text: string, limit: number): number | undefined {
  const { depth, at } = scan(text, limit);
  return depth > limit ? at : undefined;
}

function scan(text: string, stopAbove: number): { depth: number; at: number } {
  const n = text.length;
  /** Columns of the open block levels. */
  const levels: number[] = [];
  let flow = 0;
  let deepest = 0;
  /** Inside a block scalar: lines indented more than this column belong to it. */
  let scalarParent = -1;
  let i = 0;
  while (i < n) {
    const lineStart = i;
    // Indentation of this line.
    let col = 0;
    while (i < n && text.charCodeAt(i) === 32) {
      i++;
      col++;
    }
    const first = i < n ? text.charCodeAt(i) : 10;
    const blank = first === 10 || first === 13;
    if (scalarParent >= 0 && (blank || col > scalarParent)) {
      i = nextLine(text, i);
      continue;
    }
    scalarParent = -1;
    if (blank || first === 35 /* # */) {
      i = nextLine(text, i);
      continue;
    }
    if (flow === 0) {
      while (levels.length > 0 && levels[levels.length - 1]! >= col) levels.pop();
      levels.push(col);
      // "- - - x": each entry marker opens one more level.
      while (i + 1 < n && text.charCodeAt(i) === 45 /* - */ && isSpace(text.charCodeAt(i + 1))) {
        i += 2;
        col += 2;
        while (i < n && text.charCodeAt(i) === 32) {
          i++;
          col++;
        }
        levels.push(col);
      }
    }
    // The rest of the line: brackets outside quotes, up to a comment.
    let contentEnd = -1;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) break;
      if (c === 35 /* # */ && (i === 0 || isSpace(text.charCodeAt(i - 1)))) {
        contentEnd = i;
        i = nextLine(text, i) - 1;
        break;
      }
      if (c === 34 /* " */ || c === 39 /* ' */) {
        i = quoteEnd(text, i, c);
        continue;
      }
      if (c === 91 /* [ */ || c === 123 /* { */) {
        flow++;
        if (levels.length + flow > deepest) {
          deepest = levels.length + flow;
          if (deepest > stopAbove) return { depth: deepest, at: lineStart };
        }
      } else if ((c === 93 /* ] */ || c === 125) /* } */ && flow > 0) {
        flow--;
      }
      i++;
    }
    if (levels.length + flow > deepest) {
      deepest = levels.length + flow;
      if (deepest > stopAbove) return { depth: deepest, at: lineStart };
    }
    // A line ending in a block scalar indicator (`key: |`, `- >-`, `|2`): its content lines are text, not levels.
    if (flow === 0 && isBlockScalarStart(text, contentEnd >= 0 ? contentEnd : i))
      scalarParent = levels[levels.length - 1] ?? 0;
    i = nextLine(text, i);
  }
  return { depth: deepest, at: n };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

function nextLine(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl + 1;
}

/** The index after a quoted scalar that starts at `start` (on this line; an unclosed quote ends the line). */
function quoteEnd(text: string, start: number, quote: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
    if (quote === 34 && c === 92 /* \ */) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (quote === 39 && text.charCodeAt(i + 1) === 39) {
        i += 2; // '' is an escaped quote
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return i;
}

/** Whether the line ending at `end` ends with a block scalar header (`|`, `>`, with chomping/indent indicators). */
function isBlockScalarStart(text: string, end: number): boolean {
  let j = end - 1;
  while (j >= 0 && (isSpace(text.charCodeAt(j)) || text.charCodeAt(j) === 13)) j--;
  let k = j;
  while (k >= 0 && /[0-9+-]/.test(text[k]!)) k--;
  const c = text.charCodeAt(k);
  if (c !== 124 /* | */ && c !== 62 /* > */) return false;
  if (j - k > 2) return false;
  const before = k > 0 ? text.charCodeAt(k - 1) : 32;
  return isSpace(before) || before === 10;
}
