import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareTimestamps,
  LineSplitter,
  RingBuffer,
  sanitizeLogText,
  splitTimestamp,
  TRUNCATION_MARKER,
} from '../../../src/core/streams/logText';

describe('LineSplitter', () => {
  it('keeps a multi-byte character split across chunks and handles CRLF', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('héllo → wörld\r\nsecond\nlast', 'utf8');
    for (let i = 0; i < bytes.length; i++) s.write(bytes.subarray(i, i + 1));
    s.end();
    assert.deepEqual(lines, ['héllo → wörld', 'second', 'last']);
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
