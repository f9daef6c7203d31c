import { StringDecoder } from 'node:string_decoder';

/** The marker appended to a line cut at the length limit. */
export const TRUNCATION_MARKER = ' … [line truncated by Kube Workbench]';

/**
 * Splits a byte stream into lines: multi-byte UTF-8 characters split across chunks stay intact, `\r\n` and `\n`
 * both end a line, and a line longer than `maxLineLength` characters is cut there (with a marker) while the rest
 * of it is skipped up to its end, so one runaway line cannot grow memory without bound.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineLength = 16_384,
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

export function splitTimestamp(line: string): TimestampedLine {
  const m = TIMESTAMP.exec(line);
  if (!m?.[1]) return { text: line };
  return { timestamp: m[1], text: line.slice(m[0].length) };
}

/**
 * Compares two RFC 3339 timestamps (as the API server writes them, UTC with up to nine fraction digits) by
 * time: negative, zero or positive. Falls back to Date parsing for other offsets (nanoseconds then lost).
 */
export function compareTimestamps(a: string, b: string): number {
  const na = nanos(a);
  const nb = nanos(b);
  return na < nb ? -1 : na > nb ? 1 : 0;
}

function nanos(ts: string): bigint {
  const m = /^(.*?:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return BigInt(Date.parse(ts) || 0) * 1_000_000n;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  const fraction = (m[2] ?? '').padEnd(9, '0');
  return BigInt(Number.isNaN(seconds) ? 0 : seconds) * 1_000_000n + BigInt(fraction);
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
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x1b) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x5b /* [ */) {
        const end = csiEnd(text, i + 2);
        if (end < 0) break; // unterminated: drop the rest
        if (text.charCodeAt(end) === 0x6d /* m */ && /^[0-9;:]*$/.test(text.slice(i + 2, end))) {
          out += text.slice(i, end + 1);
        }
        i = end + 1;
        continue;
      }
      if (
        next === 0x5d /* ] */ ||
        next === 0x50 /* P */ ||
        next === 0x5f /* _ */ ||
        next === 0x5e /* ^ */ ||
        next === 0x58 /* X */
      ) {
        i = stringEnd(text, i + 2);
        continue;
      }
      // ESC followed by intermediates and a final byte (charset selection, ESC c reset, ESC 7/8, ...).
      i += 1;
      while (i < n && text.charCodeAt(i) >= 0x20 && text.charCodeAt(i) <= 0x2f) i++;
      if (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x7e) i++;
      continue;
    }
    if (c === 0x9b /* C1 CSI */) {
      const end = csiEnd(text, i + 1);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === 0x9d || c === 0x90 || c === 0x9f || c === 0x9e || c === 0x98 /* C1 OSC, DCS, APC, PM, SOS */) {
      i = stringEnd(text, i + 1);
      continue;
    }
    if (c === 0x09 || (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f))) out += text[i];
    i++;
  }
  return out;
}

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
