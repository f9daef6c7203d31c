import { StringDecoder } from 'node:string_decoder';

/** The marker appended to a line cut at the length limit. */
export const TRUNCATION_MARKER = ' … [line truncated by Kube Workbench]';

/**
 * Splits a byte stream into lines: multi-byte UTF-8 characters split across chunks stay intact, `\r\n` and `\n`
 * both end a line, and a line longer than `maxLineLength` characters is cut there (with a marker) while the rest
 * of it is skipped up to its end, so one runaway line cannot grow memory without bound.
 *
 * With `onBlock`, the complete lines of each write are first offered together, as one string of lines that each
 * end in `\n` (none longer than `maxLineLength`): when `onBlock` takes them (returns true) they are not split, so
 * a fast consumer pays per chunk instead of per line; otherwise they go to `onLine` one by one, as without it.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineLength = 16_384,
    private readonly onBlock?: (block: string) => boolean,
  ) {}

  write(chunk: Buffer): void {
    this.push(this.decoder.write(chunk));
  }

  /** Emits what is left (a last line without a newline). */
  end(): void {
    this.push(this.decoder.end());
    if (this.pending.length > 0 && !this.skipping) this.onLine(this.pending);
    this.pending = '';
    this.skipping = false;
  }

  /** Drops an incomplete last line (a dropped connection: the resumed stream sends the line again). */
  discard(): void {
    this.decoder.end();
    this.pending = '';
    this.skipping = false;
  }

  private push(text: string): void {
    let start = 0;
    if (this.onBlock && !this.skipping) {
      const lastNewline = text.lastIndexOf('\n');
      if (lastNewline >= 0) {
        const complete = text.slice(0, lastNewline + 1);
        const block = this.pending.length > 0 ? this.pending + complete : complete;
        if (linesFit(block, this.maxLineLength) && this.onBlock(block)) {
          this.pending = '';
          start = lastNewline + 1;
        }
      }
    }
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let piece = text.slice(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      piece = this.pending + piece;
      this.pending = '';
      if (piece.endsWith('\r')) piece = piece.slice(0, -1);
      this.onLine(piece.length > this.maxLineLength ? cut(piece, this.maxLineLength) : piece);
    }
    if (this.skipping) return;
    this.pending += text.slice(start);
    if (this.pending.length > this.maxLineLength) {
      this.onLine(cut(this.pending, this.maxLineLength));
      this.pending = '';
      this.skipping = true;
    }
  }
}

/** Whether no line of `block` (lines ending in `\n`) is longer than `max`. */
function linesFit(block: string, max: number): boolean {
  if (block.length <= max) return true;
  let start = 0;
  while (start < block.length) {
    const nl = block.indexOf('\n', start);
    const end = nl < 0 ? block.length : nl;
    if (end - start > max) return false;
    start = end + 1;
  }
  return true;
}

function cut(line: string, max: number): string {
  let end = max;
  // Do not split a surrogate pair.
  const code = line.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return line.slice(0, end) + TRUNCATION_MARKER;
}

/** A line as the API server sends it with `timestamps=true`: `<RFC3339Nano> <text>`. */
export interface TimestampedLine {
  /** The timestamp exactly as sent (RFC 3339 with nanoseconds), or undefined when the line has none. */
  readonly timestamp?: string;
  readonly text: string;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) ?/;
/** `2026-01-02T03:04:05.123456789Z`: what the kubelet writes (fixed width, UTC), checked without a regex. */
export const KUBELET_TIMESTAMP_LENGTH = 30;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Whether `line` starts with a timestamp in the kubelet's fixed-width UTC form followed by a space. */
function startsWithKubeletTimestamp(line: string): boolean {
  if (line.charCodeAt(KUBELET_TIMESTAMP_LENGTH) !== 0x20 || line.charCodeAt(29) !== 0x5a /* Z */) return false;
  for (let i = 0; i < 29; i++) {
    const c = line.charCodeAt(i);
    const ok =
      i === 4 || i === 7
        ? c === 0x2d /* - */
        : i === 10
          ? c === 0x54 /* T */
          : i === 13 || i === 16
            ? c === 0x3a /* : */
            : i === 19
              ? c === 0x2e /* . */
              : isDigit(c);
    if (!ok) return false;
  }
  return true;
}

export function splitTimestamp(line: string): TimestampedLine {
  // Every line of a followed log goes through here: the kubelet's own format is recognised by its shape.
  if (startsWithKubeletTimestamp(line)) {
    return { timestamp: line.slice(0, KUBELET_TIMESTAMP_LENGTH), text: line.slice(KUBELET_TIMESTAMP_LENGTH + 1) };
  }
  const m = TIMESTAMP.exec(line);
  if (!m?.[1]) return { text: line };
  return { timestamp: m[1], text: line.slice(m[0].length) };
}

/**
 * Compares two RFC 3339 timestamps (as the API server writes them, UTC with up to nine fraction digits) by
 * time: negative, zero or positive. Falls back to Date parsing for other offsets (nanoseconds then lost).
 */
export function compareTimestamps(a: string, b: string): number {
  // Same width and both UTC (the kubelet's fixed nine digits): the text orders as the time does.
  if (a === b) return 0;
  if (a.length === b.length && a.endsWith('Z') && b.endsWith('Z') && sameShape(a, b)) return a < b ? -1 : 1;
  const na = nanos(a);
  const nb = nanos(b);
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Digits in the same places (so a text comparison is a numeric one). */
function sameShape(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) if (isDigit(a.charCodeAt(i)) !== isDigit(b.charCodeAt(i))) return false;
  return true;
}

function nanos(ts: string): bigint {
  const m = /^(.*?:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return BigInt(Date.parse(ts) || 0) * 1_000_000n;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  const fraction = (m[2] ?? '').padEnd(9, '0');
  return BigInt(Number.isNaN(seconds) ? 0 : seconds) * 1_000_000n + BigInt(fraction);
}

/**
 * Lines that need no per-line work: each starts with a timestamp in the kubelet's fixed-width UTC form and a
 * space, and its text has nothing sanitizeLogText would change (no control character but tab, escape sequences
 * only as SGR colours, no carriage return). For such lines `<timestamp> <text>\n`, splitTimestamp gives the
 * first KUBELET_TIMESTAMP_LENGTH characters and sanitizeLogText returns the text unchanged.
 * One pass of the regex engine over the block. Linear: the alternatives start with different characters and a
 * line's text cannot contain its newline, so there is one way to match and a failure backtracks within a line.
 */
const PLAIN_LINES =
  // eslint-disable-next-line no-control-regex
  /^(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (?:[^\x00-\x08\x0a-\x1f\x7f-\x9f]|\x1b\[[0-9;:]*m)*\n)+$/;

/** A block of lines (each ending in `\n`) as described above: the caller may skip per-line work. */
export function isPlainTimestampedBlock(block: string): boolean {
  return PLAIN_LINES.test(block);
}

/**
 * Of a plain timestamped block (isPlainTimestampedBlock): the last line's timestamp and the texts of the lines
 * at its end that carry that same timestamp, oldest first.
 */
export function lastTimestampOfBlock(block: string): { timestamp: string; texts: string[] } {
  let start = block.lastIndexOf('\n', block.length - 2) + 1;
  const timestamp = block.slice(start, start + KUBELET_TIMESTAMP_LENGTH);
  const texts = [block.slice(start + KUBELET_TIMESTAMP_LENGTH + 1, block.length - 1)];
  while (start > 0) {
    const previous = block.lastIndexOf('\n', start - 2) + 1;
    if (!block.startsWith(timestamp, previous)) break;
    texts.unshift(block.slice(previous + KUBELET_TIMESTAMP_LENGTH + 1, start - 1));
    start = previous;
  }
  return { timestamp, texts };
}

/**
 * Makes a log line safe to print into a terminal: SGR colour sequences (`ESC [ … m`) are kept, every other
 * escape sequence is removed: OSC (window title, OSC 8 hyperlinks, OSC 52 clipboard writes), DCS, APC, PM, SOS,
 * cursor movement and screen clearing CSI, and single-character escapes; other control characters except tab
 * are removed too, including the 8-bit C1 forms (U+0080-U+009F). A log can colour its text, never change the
 * terminal.
 */
export function sanitizeLogText(text: string): string {
  // Fast path: nothing to look at.
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(text)) return text;
  // Plain runs are copied whole (a coloured line is mostly plain text); only the characters SPECIAL finds are
  // looked at one by one. When nothing is removed (only SGR colours), the text itself is returned.
  let out = '';
  /** text[copied, j) is still to be copied. */
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    SPECIAL.lastIndex = i;
    const found = SPECIAL.exec(text);
    if (!found) break;
    const j = found.index;
    const c = text.charCodeAt(j);
    let next: number;
    let keep = false;
    if (c === 0x1b) {
      const after = text.charCodeAt(j + 1);
      if (after === 0x5b /* [ */) {
        const end = csiEnd(text, j + 2);
        if (end < 0) {
          // Unterminated: drop the rest.
          out += text.slice(copied, j);
          copied = n;
          break;
        }
        keep = text.charCodeAt(end) === 0x6d /* m */ && SGR_PARAMETERS.test(text.slice(j + 2, end));
        next = end + 1;
      } else if (
        after === 0x5d /* ] */ ||
        after === 0x50 /* P */ ||
        after === 0x5f /* _ */ ||
        after === 0x5e /* ^ */ ||
        after === 0x58 /* X */
      ) {
        next = stringEnd(text, j + 2);
      } else {
        // ESC followed by intermediates and a final byte (charset selection, ESC c reset, ESC 7/8, ...).
        next = j + 1;
        while (next < n && text.charCodeAt(next) >= 0x20 && text.charCodeAt(next) <= 0x2f) next++;
        if (next < n && text.charCodeAt(next) >= 0x30 && text.charCodeAt(next) <= 0x7e) next++;
      }
    } else if (c === 0x9b /* C1 CSI */) {
      const end = csiEnd(text, j + 1);
      next = end < 0 ? n : end + 1;
    } else if (c === 0x9d || c === 0x90 || c === 0x9f || c === 0x9e || c === 0x98 /* C1 OSC, DCS, APC, PM, SOS */) {
      next = stringEnd(text, j + 1);
    } else {
      next = j + 1; // any other control character
    }
    if (!keep) {
      out += text.slice(copied, j);
      copied = next;
    }
    i = next;
  }
  if (copied === 0) return text;
  return copied >= n ? out : out + text.slice(copied);
}

/** What the sanitiser looks at: every control character but tab (which is kept), C0, DEL and C1. */
// eslint-disable-next-line no-control-regex
const SPECIAL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
const SGR_PARAMETERS = /^[0-9;:]*$/;

/** Index of a CSI sequence's final byte (0x40-0x7e) starting at `from`, or -1. */
function csiEnd(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c >= 0x40 && c <= 0x7e) return j;
    if (c < 0x20 || c > 0x7e) return j - 1 >= from ? j - 1 : from; // malformed: stop before the odd byte
  }
  return -1;
}

/** Index just after a string sequence's terminator (BEL, ESC \ or C1 ST), or the end of the text. */
function stringEnd(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x07 || c === 0x9c) return j + 1;
    if (c === 0x1b && text.charCodeAt(j + 1) === 0x5c) return j + 2;
  }
  return text.length;
}

/** A bounded list of the most recent items: when full, the oldest is dropped (and counted). */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;
  /** How many items were dropped because the buffer was full. */
  dropped = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(Math.max(1, capacity));
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    const cap = this.items.length;
    if (this.count < cap) {
      this.items[(this.start + this.count) % cap] = item;
      this.count++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % cap;
      this.dropped++;
    }
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const out = this.toArray();
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
    return out;
  }

  toArray(): T[] {
    const out: T[] = [];
    const cap = this.items.length;
    for (let k = 0; k < this.count; k++) out.push(this.items[(this.start + k) % cap] as T);
    return out;
  }
}
