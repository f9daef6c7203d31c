import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareTimestamps,
  isPlainTimestampedBlock,
  lastTimestampOfBlock,
  LineSplitter,
  RingBuffer,
  sanitizeLogText,
  splitTimestamp,
  TRUNCATION_MARKER,
} from '../../../src/core/streams/logText';

/** A small seeded generator, so a failing random case can be run again. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

/** The sanitiser as it was written first, one character at a time: the reference for the faster one. */
function referenceSanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(text)) return text;
  const csiEnd = (from: number): number => {
    for (let j = from; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) return j;
      if (c < 0x20 || c > 0x7e) return j - 1 >= from ? j - 1 : from;
    }
    return -1;
  };
  const stringEnd = (from: number): number => {
    for (let j = from; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x07 || c === 0x9c) return j + 1;
      if (c === 0x1b && text.charCodeAt(j + 1) === 0x5c) return j + 2;
    }
    return text.length;
  };
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x1b) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x5b) {
        const end = csiEnd(i + 2);
        if (end < 0) break;
        if (text.charCodeAt(end) === 0x6d && /^[0-9;:]*$/.test(text.slice(i + 2, end))) out += text.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      if (next === 0x5d || next === 0x50 || next === 0x5f || next === 0x5e || next === 0x58) {
        i = stringEnd(i + 2);
        continue;
      }
      i += 1;
      while (i < n && text.charCodeAt(i) >= 0x20 && text.charCodeAt(i) <= 0x2f) i++;
      if (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x7e) i++;
      continue;
    }
    if (c === 0x9b) {
      const end = csiEnd(i + 1);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === 0x9d || c === 0x90 || c === 0x9f || c === 0x9e || c === 0x98) {
      i = stringEnd(i + 1);
      continue;
    }
    if (c === 0x09 || (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f))) out += text[i];
    i++;
  }
  return out;
}

/** Pieces that make up nasty log text: escapes of every kind, their parts, controls, C1, wide characters. */
const PIECES = [
  'text ',
  'INFO',
  ' ',
  'ü',
  '→',
  '😀',
  '\t',
  '\n',
  '\r',
  '\x07',
  '\x08',
  '\x00',
  '\x7f',
  '\x1b',
  '\x1b[',
  '\x1b[31m',
  '\x1b[0m',
  '\x1b[1;32m',
  '\x1b[38:5:1m',
  '\x1b[m',
  '\x1b[2J',
  '\x1b[10;5H',
  '\x1b[?25l',
  '\x1b]0;title\x07',
  '\x1b]52;c;ZXZpbA==\x1b\\',
  '\x1b]8;;https://x\x07',
  '\x1bP1$qm\x1b\\',
  '\x1b_apc',
  '\x1bc',
  '\x1b(B',
  '\x1b7',
  '\x9b2J',
  '\x9d0;t\x9c',
  '\x90dcs',
  '\x85',
  '\x9c',
  '[',
  'm',
  '5',
  ';',
  ':',
  ']',
  '\\',
  '?',
  '\x1b[?1m',
];

describe('LineSplitter', () => {
  it('keeps a multi-byte character split across chunks and handles CRLF', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('héllo → wörld\r\nsecond\nlast', 'utf8');
    for (let i = 0; i < bytes.length; i++) s.write(bytes.subarray(i, i + 1));
    s.end();
    assert.deepEqual(lines, ['héllo → wörld', 'second', 'last']);
  });

  it('offers the complete lines of each write as one block, and gives the same lines as without blocks', () => {
    const next = random(42);
    const parts = ['2026-11-28T18:00:00.000000001Z line', ' ü😀 more', '\n', '\r\n', 'x'.repeat(30), 'y'.repeat(15)];
    for (let round = 0; round < 300; round++) {
      let text = '';
      for (let p = 0; p < 40; p++) text += parts[Math.floor(next() * parts.length)];
      const bytes = Buffer.from(text, 'utf8');
      const cuts: number[] = [];
      for (let o = 0; o < bytes.length; o += 1 + Math.floor(next() * 40)) cuts.push(o);
      const feed = (s: LineSplitter): void => {
        cuts.forEach((from, i) => s.write(bytes.subarray(from, cuts[i + 1] ?? bytes.length)));
        s.end();
      };
      const expected: string[] = [];
      feed(new LineSplitter((l) => expected.push(l), 64));
      // Blocks taken at random (the rest refused, so split): lines in the same order either way.
      const got: string[] = [];
      let blocks = 0;
      feed(
        new LineSplitter(
          (l) => got.push(l),
          64,
          (block) => {
            assert.ok(block.endsWith('\n'));
            for (const line of block.slice(0, -1).split('\n')) assert.ok(line.length <= 64, 'no line over the limit');
            if (next() < 0.5) return false;
            blocks++;
            for (const line of block.slice(0, -1).split('\n')) got.push(line.endsWith('\r') ? line.slice(0, -1) : line);
            return true;
          },
        ),
      );
      assert.deepEqual(got, expected, `round ${round}: ${JSON.stringify(text)}`);
      if (round === 299) assert.ok(blocks > 0);
    }
  });

  it('cuts a huge line with a marker and skips the rest of it', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 10);
    s.write(Buffer.from('a'.repeat(8)));
    s.write(Buffer.from('b'.repeat(50)));
    s.write(Buffer.from('c'.repeat(50) + '\nnext\n'));
    s.end();
    assert.deepEqual(lines, ['aaaaaaaabb' + TRUNCATION_MARKER, 'next']);
  });
});

describe('sanitizeLogText', () => {
  it('keeps SGR colours', () => {
    assert.equal(sanitizeLogText('\x1b[31mred\x1b[0m \x1b[1;32mok\x1b[m'), '\x1b[31mred\x1b[0m \x1b[1;32mok\x1b[m');
  });
  it('drops OSC 52 clipboard writes, titles and OSC 8 hyperlinks', () => {
    assert.equal(sanitizeLogText('a\x1b]52;c;ZXZpbA==\x07b'), 'ab');
    assert.equal(sanitizeLogText('a\x1b]0;pwned\x1b\\b'), 'ab');
    assert.equal(sanitizeLogText('\x1b]8;;command:workbench.action.terminal.new\x07click\x1b]8;;\x07'), 'click');
  });
  it('drops DCS, APC, cursor movement, screen clearing, C1 controls and bare control characters', () => {
    assert.equal(sanitizeLogText('x\x1bP1$qm\x1b\\y'), 'xy');
    assert.equal(sanitizeLogText('x\x1b_apc\x1b\\y'), 'xy');
    assert.equal(sanitizeLogText('\x1b[2J\x1b[H\x1b[10;5Hhi'), 'hi');
    assert.equal(sanitizeLogText('a\x9b2Jb\x9d0;t\x9cc'), 'abc');
    assert.equal(sanitizeLogText('a\x07b\x08c\td\x1bce'), 'abc\tde');
  });
  it('leaves plain text alone', () => {
    assert.equal(sanitizeLogText('plain {"level":"info"} ünïcode'), 'plain {"level":"info"} ünïcode');
  });
  it('gives what the character-by-character reference gives, for 20,000 random texts of escapes and controls', () => {
    const next = random(6);
    for (let k = 0; k < 20_000; k++) {
      let text = '';
      const length = Math.floor(next() * 12);
      for (let p = 0; p < length; p++) text += PIECES[Math.floor(next() * PIECES.length)];
      assert.equal(sanitizeLogText(text), referenceSanitize(text), JSON.stringify(text));
    }
  });
});

describe('plain timestamped blocks (the fast path)', () => {
  const ts = '2026-11-28T18:00:00.123456789Z';
  it('accepts kubelet-timestamped lines whose text needs nothing (SGR colours and tabs are fine)', () => {
    assert.equal(isPlainTimestampedBlock(`${ts} a\n${ts} \x1b[32mINFO\x1b[0m\tb ü😀\n${ts} \n`), true);
  });
  it('refuses anything that needs per-line work', () => {
    const refused = [
      `${ts} a`, // no final newline
      `${ts} a\nno timestamp\n`,
      `${ts} a\r\n`, // CRLF: the carriage return goes
      `${ts} a\x1b]0;title\x07\n`,
      `${ts} a\x1b[2J\n`,
      `${ts} a\x1b[31\n`,
      `${ts} a\x85\n`,
      `${ts} a\x07\n`,
      `${ts}a\n`, // no space after the timestamp
      '2026-11-28T18:00:00.5Z a\n', // RFC 3339 but not the kubelet's fixed width
      '2026-11-28T18:00:00.123456789+01:00 a\n',
      '',
    ];
    for (const block of refused) assert.equal(isPlainTimestampedBlock(block), false, JSON.stringify(block));
  });
  it('finds the last timestamp and the texts of the lines at its end that share it', () => {
    const t2 = '2026-11-28T18:00:01.000000000Z';
    assert.deepEqual(lastTimestampOfBlock(`${ts} a\n${t2} b\n${t2} \n${t2} d\n`), {
      timestamp: t2,
      texts: ['b', '', 'd'],
    });
    assert.deepEqual(lastTimestampOfBlock(`${ts} only\n`), { timestamp: ts, texts: ['only'] });
    assert.deepEqual(lastTimestampOfBlock(`${t2} x\n${ts} a\n`), { timestamp: ts, texts: ['a'] });
  });
  it('gives, line by line, what splitTimestamp and sanitizeLogText give', () => {
    const block = `${ts} \x1b[1;31mred\x1b[m\tx\n${ts} plain\n`;
    assert.equal(isPlainTimestampedBlock(block), true);
    for (const line of block.slice(0, -1).split('\n')) {
      const { timestamp, text } = splitTimestamp(line);
      assert.equal(timestamp, ts);
      assert.equal(sanitizeLogText(text), line.slice(ts.length + 1));
    }
  });
});

describe('timestamps', () => {
  it('splits the API server timestamp from the text', () => {
    assert.deepEqual(splitTimestamp('2026-11-28T18:00:00.123456789Z hello world'), {
      timestamp: '2026-11-28T18:00:00.123456789Z',
      text: 'hello world',
    });
    assert.deepEqual(splitTimestamp('no timestamp'), { text: 'no timestamp' });
  });
  it('compares to the nanosecond', () => {
    assert.equal(compareTimestamps('2026-11-28T18:00:00.000000001Z', '2026-11-28T18:00:00.000000002Z'), -1);
    assert.equal(compareTimestamps('2026-11-28T18:00:00.5Z', '2026-11-28T18:00:00.500000000Z'), 0);
    assert.equal(compareTimestamps('2026-11-28T18:00:01Z', '2026-11-28T18:00:00.999999999Z'), 1);
    assert.equal(compareTimestamps('2026-11-28T18:00:01.5Z', '2026-11-28T18:00:00.999Z'), 1);
    assert.equal(compareTimestamps('2026-11-28T19:00:00.000000000+01:00', '2026-11-28T18:00:00.000000000Z'), 0);
  });
  it('compares same-width UTC timestamps as text and agrees with the parsed comparison', () => {
    const next = random(7);
    const stamp = (): string => {
      const ms = 1_790_000_000_000 + Math.floor(next() * 5_000);
      const ns = String(Math.floor(next() * 1_000_000)).padStart(6, '0');
      return `${new Date(ms).toISOString().slice(0, 23)}${ns}Z`;
    };
    const parsed = (ts: string): bigint =>
      BigInt(Date.parse(ts.slice(0, 19) + 'Z')) * 1_000_000n + BigInt(ts.slice(20, 29));
    for (let k = 0; k < 2_000; k++) {
      const a = stamp();
      const b = next() < 0.1 ? a : stamp();
      const expected = parsed(a) < parsed(b) ? -1 : parsed(a) > parsed(b) ? 1 : 0;
      assert.equal(compareTimestamps(a, b), expected, `${a} vs ${b}`);
    }
  });
  it('recognises the kubelet form without a regex, and other RFC 3339 forms with one', () => {
    assert.deepEqual(splitTimestamp('2026-11-28T18:00:00.123456789Z '), {
      timestamp: '2026-11-28T18:00:00.123456789Z',
      text: '',
    });
    assert.deepEqual(splitTimestamp('2026-11-28T18:00:00+01:00 x'), {
      timestamp: '2026-11-28T18:00:00+01:00',
      text: 'x',
    });
    assert.deepEqual(splitTimestamp('2026-11-28X18:00:00.123456789Z x'), { text: '2026-11-28X18:00:00.123456789Z x' });
    assert.deepEqual(splitTimestamp('2026-11-28T18:00:0a.123456789Z x'), { text: '2026-11-28T18:00:0a.123456789Z x' });
  });
});

describe('RingBuffer', () => {
  it('keeps the newest items and counts the dropped ones', () => {
    const r = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    assert.deepEqual(r.toArray(), [3, 4, 5]);
    assert.equal(r.dropped, 2);
    assert.deepEqual(r.drain(), [3, 4, 5]);
    assert.equal(r.length, 0);
  });
});
