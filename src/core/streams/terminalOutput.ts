import { DIM, RESET } from './ansi';

export interface TerminalOutputOptions {
  /** While output keeps coming, at most one write per this many milliseconds. */
  readonly intervalMs?: number;
  /**
   * Lines kept while the terminal is not open yet (a piece counts as the lines push() was told it holds); older
   * pieces are dropped and counted.
   */
  readonly bufferPieces?: number;
  /** The most characters held between two writes: beyond this they are written at once. */
  readonly maxPendingChars?: number;
}

/** Output that stays under this per interval (echo, a prompt, a few lines) is written without waiting. */
const INTERACTIVE_CHARS = 4096;
const INTERACTIVE_WRITES = 8;

/**
 * What a pseudoterminal is given to show, coalesced: every write is a message to the renderer, so a burst of log
 * lines or a command's flood becomes about one write per interval instead of one per line or chunk. Small output
 * (a keystroke's echo, a prompt) is written at the end of the current event-loop turn, so typing is not delayed;
 * only once an interval has seen more than a few KB or a few writes does the rest wait for the interval's end.
 * Memory is bounded: before the terminal opens by `bufferPieces`, after by `maxPendingChars` (plus one chunk).
 */
export class TerminalOutput {
  /** Writes made to the terminal: the UI updates this output cost. */
  updates = 0;
  /** Characters written to the terminal. */
  chars = 0;
  private readonly intervalMs: number;
  private readonly maxPendingChars: number;
  private readonly early: EarlyPieces;
  private pending: string[] = [];
  private pendingChars = 0;
  private opened = false;
  private disposed = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private windowStart = -Infinity;
  private windowChars = 0;
  private windowWrites = 0;

  constructor(
    private readonly write: (text: string) => void,
    options: TerminalOutputOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 16;
    this.maxPendingChars = options.maxPendingChars ?? 1 << 20;
    this.early = new EarlyPieces(options.bufferPieces ?? 20_000);
  }

  /** How many characters wait for the next write. */
  get pendingLength(): number {
    return this.pendingChars;
  }

  /** `lines`: how many lines `text` holds, for the bound before the terminal opens. */
  push(text: string, lines = 1): void {
    if (this.disposed || text.length === 0) return;
    if (!this.opened) {
      this.early.push(text, lines);
      return;
    }
    // An array joined at the write, not `+=`: a rope of many small pieces would be kept, with its overhead, by
    // whoever holds the written text (the recorder). Log lines come in blocks, so the pieces are few.
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars > this.maxPendingChars) this.flush();
    else this.schedule();
  }

  /** The terminal is shown: what arrived before is written first (with a note when some was dropped). */
  open(): void {
    if (this.opened || this.disposed) return;
    this.opened = true;
    const early = this.early.dropped;
    const pieces = this.early.drain();
    if (early > 0) this.push(`${DIM}[kube-workbench] ${early} earlier lines were dropped${RESET}\r\n`);
    for (const piece of pieces) this.push(piece);
  }

  /** Writes what is pending now (before a closing message, say). */
  flush(): void {
    this.cancel();
    if (this.pendingChars === 0) return;
    const text = this.pending.length === 1 ? (this.pending[0] ?? '') : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    const now = performance.now();
    if (now - this.windowStart >= this.intervalMs) {
      this.windowStart = now;
      this.windowChars = 0;
      this.windowWrites = 0;
    }
    this.windowChars += text.length;
    this.windowWrites++;
    this.updates++;
    this.chars += text.length;
    this.write(text);
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
    this.pending = [];
    this.pendingChars = 0;
    this.early.drain();
  }

  private schedule(): void {
    if (this.timer || this.immediate) return;
    const now = performance.now();
    const windowOver = now - this.windowStart >= this.intervalMs;
    const quiet =
      windowOver ||
      (this.windowChars + this.pendingChars <= INTERACTIVE_CHARS && this.windowWrites < INTERACTIVE_WRITES);
    if (quiet) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.flush();
      });
    } else {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.flush();
        },
        this.windowStart + this.intervalMs - now,
      );
    }
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}

/** Pieces kept before the terminal opens, bounded by the lines they hold; the oldest whole pieces go first. */
class EarlyPieces {
  private pieces: ({ text: string; lines: number } | undefined)[] = [];
  private first = 0;
  private lines = 0;
  /** Lines dropped because the bound was reached. */
  dropped = 0;

  constructor(private readonly maxLines: number) {}

  push(text: string, lines: number): void {
    this.pieces.push({ text, lines });
    this.lines += lines;
    // The newest piece always stays, even one that alone holds more than the bound.
    while (this.lines > this.maxLines && this.first < this.pieces.length - 1) {
      const oldest = this.pieces[this.first];
      this.pieces[this.first++] = undefined; // let it go now, not when the array is compacted
      this.lines -= oldest?.lines ?? 0;
      this.dropped += oldest?.lines ?? 0;
    }
    if (this.first > 1024 && this.first * 2 > this.pieces.length) {
      this.pieces = this.pieces.slice(this.first);
      this.first = 0;
    }
  }

  /** Removes and returns every piece, oldest first. */
  drain(): string[] {
    const out = this.pieces.slice(this.first).map((p) => p?.text ?? '');
    this.pieces = [];
    this.first = 0;
    this.lines = 0;
    return out;
  }
}

/**
 * The last `limit` characters written to a terminal (what tests and the API can read back). Writes are kept as
 * they come and whole ones dropped from the front; the text is cut to `limit` only when read, so a stream of
 * writes does not copy the last megabyte on every one of them.
 */
export class OutputRecorder {
  private chunks: (string | undefined)[] = [];
  private first = 0;
  private length = 0;
  constructor(private readonly limit = 1_000_000) {}
  add(chunk: string): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
    for (;;) {
      const oldest = this.chunks[this.first];
      if (oldest === undefined || this.length - oldest.length < this.limit) break;
      this.length -= oldest.length;
      this.chunks[this.first++] = undefined; // let it go now, not when the array is compacted
    }
    if (this.first > 1024 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
  get value(): string {
    const live = this.first === 0 ? this.chunks : this.chunks.slice(this.first);
    const joined = live.length === 1 ? (live[0] ?? '') : live.join('');
    const text = joined.length > this.limit ? joined.slice(joined.length - this.limit) : joined;
    // Keep the result: reading again without new writes costs nothing.
    this.chunks = text.length > 0 ? [text] : [];
    this.first = 0;
    this.length = text.length;
    return text;
  }
}
