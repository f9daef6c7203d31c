import { StringDecoder } from 'node:string_decoder';

/**
 * Reads a list answer (`{"kind":…,"metadata":{…},"items":[…]}`) as its bytes arrive and hands out each element of
 * the top-level `items` array as soon as it is complete, parsed on its own. The whole page never exists as one
 * Buffer, one string or one parsed tree: each item's objects are garbage as soon as the caller has taken what it
 * keeps (a row), so they die young instead of being promoted with the rest of a 500-object page. That is what kept
 * the extension host tens of MiB larger after listing a big folder.
 *
 * Everything but the items (kind, apiVersion, metadata with `continue` and `resourceVersion`) is returned by end(),
 * parsed, with `items: []`. The scanner knows only JSON's structure (strings with escapes, nesting, commas); the
 * items themselves are parsed by JSON.parse, so a malformed one fails as JSON.parse fails.
 */
export class ListItemReader {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** At depth 1 the next string is a key (after `{` or `,`), not a value (after `:`). */
  private expectKey = false;
  private readingKey = false;
  private key: number[] = [];
  private lastKey = '';
  /** Inside the top-level "items" array (depth 2 is its level). */
  private inItems = false;
  /** The bytes of everything but the items, in order. */
  private readonly skeleton: Buffer[] = [];
  /**
   * The current item's text from earlier chunks: decoded as strings (a character may be cut between chunks), not
   * kept as Buffers to concatenate, so an item costs V8 heap that a scavenge frees, not another malloc'd copy.
   */
  private itemText = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly onItem: (item: unknown) => void) {}

  write(chunk: Buffer): void {
    let skeletonFrom = this.inItems ? -1 : 0;
    let itemFrom = this.inItems ? 0 : -1;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) {
          this.inString = false;
          if (this.readingKey) {
            this.readingKey = false;
            this.lastKey = Buffer.from(this.key).toString('utf8');
            this.key = [];
          }
        } else if (this.readingKey) this.key.push(b);
        continue;
      }
      switch (b) {
        case QUOTE:
          this.inString = true;
          if (this.depth === 1 && this.expectKey) {
            this.readingKey = true;
            this.expectKey = false;
          }
          break;
        case COLON:
          break;
        case COMMA:
          if (this.depth === 1) this.expectKey = true;
          else if (this.inItems && this.depth === 2) {
            this.item(chunk, itemFrom, i);
            itemFrom = i + 1;
          }
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          this.depth++;
          if (this.depth === 1) this.expectKey = b === OPEN_BRACE;
          else if (this.depth === 2 && b === OPEN_BRACKET && this.lastKey === 'items') {
            this.inItems = true;
            this.skeleton.push(chunk.subarray(skeletonFrom, i + 1));
            skeletonFrom = -1;
            itemFrom = i + 1;
          }
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          if (this.inItems && this.depth === 2) {
            this.item(chunk, itemFrom, i);
            this.inItems = false;
            itemFrom = -1;
            skeletonFrom = i;
          }
          this.depth--;
          break;
        default:
          break;
      }
    }
    if (skeletonFrom >= 0) this.skeleton.push(chunk.subarray(skeletonFrom));
    if (itemFrom >= 0 && itemFrom < n) this.itemText += this.decoder.write(chunk.subarray(itemFrom));
  }

  /** The list without its items (they were handed out), parsed. Throws when the answer was cut short. */
  end(): unknown {
    if (this.depth !== 0 || this.inString) throw new SyntaxError('Unexpected end of JSON input');
    return JSON.parse(Buffer.concat(this.skeleton).toString('utf8'));
  }

  /** One element of items: the bytes from `from` to `to` of this chunk, after those of earlier chunks. */
  private item(chunk: Buffer, from: number, to: number): void {
    // The item ends at a comma or bracket, never inside a character: the decoder holds nothing after this.
    const text = this.itemText + this.decoder.write(chunk.subarray(from, to));
    this.itemText = '';
    if (text.trim().length === 0) return; // `[]`, or whitespace around the brackets
    this.onItem(JSON.parse(text));
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
