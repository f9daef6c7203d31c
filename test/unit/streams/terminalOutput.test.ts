import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OutputRecorder, TerminalOutput } from '../../../src/core/streams/terminalOutput';
import { terminalLogSink } from '../../../src/core/streams/logTerminalSink';
import { silentLogger } from '../../../src/core/common/logger';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('TerminalOutput', () => {
  it('writes a small piece (an echo) at the end of the turn, not after the interval', async () => {
    const writes: string[] = [];
    const out = new TerminalOutput((t) => writes.push(t), { intervalMs: 1_000 });
    out.open();
    for (const key of ['a', 'b', 'c']) {
      out.push(key);
      await turn();
      assert.equal(writes.at(-1), key);
    }
    assert.equal(out.updates, 3);
  });

  it('batches a flood into about one write per interval, in order and complete', async () => {
    const writes: string[] = [];
    const out = new TerminalOutput((t) => writes.push(t), { intervalMs: 20 });
    out.open();
    const lines: string[] = [];
    const started = Date.now();
    while (Date.now() - started < 200) {
      for (let i = 0; i < 50; i++) {
        const line = `line ${lines.length}\r\n`;
        lines.push(line);
        out.push(line);
      }
      await turn();
    }
    await sleep(50);
    assert.equal(writes.join(''), lines.join(''));
    // Batched, whatever the machine's load: far fewer writes than lines. (A bound in writes per elapsed millisecond
    // failed CI on a loaded machine, where timers fire late and in bursts: that is a timing test, not a property.)
    assert.ok(writes.length < lines.length / 20, `${writes.length} writes for ${lines.length} lines`);
  });

  it('writes at once when the pending text passes its bound', () => {
    const writes: string[] = [];
    const out = new TerminalOutput((t) => writes.push(t), { maxPendingChars: 100 });
    out.open();
    out.push('x'.repeat(60));
    assert.equal(writes.length, 0);
    out.push('y'.repeat(60));
    assert.equal(writes.length, 1);
    assert.equal(out.pendingLength, 0);
    out.dispose();
  });

  it('keeps the newest pieces before the terminal opens and says how many were dropped', async () => {
    const writes: string[] = [];
    const out = new TerminalOutput((t) => writes.push(t), { bufferPieces: 2 });
    out.push('1\r\n');
    out.push('2\r\n');
    out.push('3\r\n');
    assert.equal(writes.length, 0);
    out.open();
    await turn();
    assert.match(writes.join(''), /1 earlier lines were dropped.*\r\n2\r\n3\r\n$/);
  });

  it('before the terminal opens, bounds what it keeps by the lines the pieces hold, dropping whole old pieces', async () => {
    const writes: string[] = [];
    const out = new TerminalOutput((t) => writes.push(t), { bufferPieces: 5 });
    out.push('1\r\n2\r\n3\r\n', 3);
    out.push('4\r\n5\r\n', 2);
    out.push('6\r\n', 1); // 6 lines: the oldest piece (3 lines) goes
    out.push('7\r\n8\r\n9\r\n10\r\n11\r\n12\r\n', 6); // more than the bound alone: it stays, the rest goes
    out.open();
    await turn();
    assert.match(writes.join(''), /6 earlier lines were dropped.*\r\n7\r\n8\r\n9\r\n10\r\n11\r\n12\r\n$/);
  });

  it('writes nothing after dispose', async () => {
    const writes: string[] = [];
    const out = new TerminalOutput((t) => writes.push(t));
    out.open();
    out.push('a');
    out.dispose();
    out.push('b');
    await sleep(30);
    assert.deepEqual(writes, []);
  });

  it('the recorder keeps the last characters only', () => {
    const r = new OutputRecorder(5);
    r.add('abc');
    r.add('defg');
    assert.equal(r.value, 'cdefg');
    assert.equal(r.value, 'cdefg');
    r.add('');
    r.add('h');
    assert.equal(r.value, 'defgh');
    r.add('0123456789');
    assert.equal(r.value, '56789');
  });

  it('the recorder lets go of writes it no longer needs (memory stays bounded during a flood)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const r = new OutputRecorder(1_000_000);
    // 300 writes of 1 MB each (fresh strings, as a terminal's writes are): at most about 2 MB may stay.
    for (let i = 0; i < 300; i++) r.add(Buffer.alloc(1_000_000, 97 + (i % 26)).toString('latin1'));
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    assert.ok(kept < 30 * 1024 * 1024, `${(kept / 1024 / 1024).toFixed(0)} MB kept`);
    assert.equal(r.value.length, 1_000_000);
    // The same for what waits before the terminal opens.
    const out = new TerminalOutput(() => undefined, { bufferPieces: 2 });
    for (let i = 0; i < 300; i++) out.push(Buffer.alloc(1_000_000, 97 + (i % 26)).toString('latin1'), 1);
    gc();
    const waiting = process.memoryUsage().heapUsed - before;
    assert.ok(waiting < 30 * 1024 * 1024, `${(waiting / 1024 / 1024).toFixed(0)} MB kept before the terminal opened`);
    out.dispose();
  });

  it('the recorder gives the last characters of thousands of writes, as one string would', () => {
    const r = new OutputRecorder(1_000);
    let all = '';
    for (let i = 0; i < 5_000; i++) {
      const piece = `line ${i} ${'x'.repeat(i % 37)}\r\n`;
      r.add(piece);
      all += piece;
      if (i % 997 === 0) assert.equal(r.value, all.slice(-1_000));
    }
    assert.equal(r.value, all.slice(-1_000));
  });
});

describe('terminalLogSink', () => {
  it('prefixes lines with a coloured [pod/container] when asked, ends with CRLF and a reset', () => {
    const texts: string[] = [];
    const sink = terminalLogSink({ timestamps: true }, true, (t) => texts.push(t), silentLogger);
    sink.line({ pod: 'web-1', container: 'app' }, 'hello', '2026-01-01T00:00:00.000000001Z');
    assert.match(
      texts[0] ?? '',
      // eslint-disable-next-line no-control-regex
      /^\x1b\[\d+m\[web-1\/app\] \x1b\[0m\x1b\[2m2026-01-01T00:00:00.000000001Z\x1b\[0m hello\x1b\[0m\r\n$/,
    );
    const plain: string[] = [];
    terminalLogSink({ timestamps: false }, false, (t) => plain.push(t), silentLogger).line(
      { pod: 'p', container: 'c' },
      'x',
      '2026-01-01T00:00:00Z',
    );
    assert.equal(plain[0], 'x\x1b[0m\r\n');
  });

  it('writes a block of lines exactly as line() writes each of them, with the count of lines', () => {
    const stamps = [
      '2026-01-01T00:00:00.000000001Z',
      '2026-01-01T00:00:00.000000001Z',
      '2026-01-01T00:00:02.500000000Z',
    ];
    const texts = ['\x1b[32mINFO\x1b[0m first', '', 'third $1 $& $$ {"a":1}'];
    const block = texts.map((t, i) => `${stamps[i]} ${t}\n`).join('');
    for (const timestamps of [false, true]) {
      for (const showPrefix of [false, true]) {
        for (const source of [
          { pod: 'web-1', container: 'app' },
          { pod: 'odd$1$$', container: '$&' },
        ]) {
          const one: string[] = [];
          const each = terminalLogSink({ timestamps }, showPrefix, (t) => one.push(t), silentLogger);
          texts.forEach((t, i) => each.line(source, t, stamps[i]));
          const all: { text: string; lines?: number }[] = [];
          const sink = terminalLogSink(
            { timestamps },
            showPrefix,
            (text, lines) => all.push({ text, lines }),
            silentLogger,
          );
          sink.lines?.(source, block);
          assert.deepEqual(all, [{ text: one.join(''), lines: 3 }], `timestamps ${timestamps}, prefix ${showPrefix}`);
        }
      }
    }
  });
});
