import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar, tarOfFile } from '../../../src/core/streams/tarArchive';
import { containerPath } from '../../../src/core/streams/copyFiles';

describe('tar for copies', () => {
  it('writes an archive the real tar extracts, and reads it back', () => {
    const data = Buffer.from('hello from the editor\n'.repeat(100));
    const archive = tarOfFile('-notes.txt', data, 0o600);
    const dir = mkdtempSync(join(tmpdir(), 'kwb-tar-'));
    execFileSync('tar', ['xf', '-', '-C', dir], { input: archive });
    assert.equal(execFileSync('cat', [join(dir, '-notes.txt')]).toString(), data.toString());
    assert.equal(archive.length % 10240, 0, 'padded to whole records: tar exits without waiting for EOF');
    const [entry] = readTar(archive);
    assert.deepEqual(
      { ...entry, data: entry?.data.toString() },
      { path: '-notes.txt', type: 'file', mode: 0o600, data: data.toString() },
    );
  });

  it('reads what the real tar writes: folders, long names (GNU and pax), links marked as links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kwb-tar-'));
    const long = 'd'.repeat(60) + '/' + 'f'.repeat(80);
    mkdirSync(join(dir, 'src', 'd'.repeat(60)), { recursive: true });
    writeFileSync(join(dir, 'src', long), 'long');
    writeFileSync(join(dir, 'src', 'a.txt'), 'a');
    symlinkSync('/etc/passwd', join(dir, 'src', 'link'));
    for (const format of ['gnu', 'posix']) {
      const archive = execFileSync('tar', [`--format=${format}`, '-cf', '-', '-C', dir, './src']);
      const entries = readTar(archive);
      const byPath = new Map(entries.map((e) => [e.path.replace(/\/$/, ''), e]));
      assert.equal(byPath.get(`./src/${long}`)?.data.toString(), 'long', format);
      assert.equal(byPath.get('./src/a.txt')?.type, 'file');
      assert.equal(byPath.get('./src')?.type, 'directory');
      assert.equal(byPath.get('./src/link')?.type, 'symlink');
    }
  });

  it('refuses a damaged archive instead of guessing', () => {
    const archive = tarOfFile('x', Buffer.from('data'));
    archive[10] = 0x41;
    assert.throws(() => readTar(archive), /damaged/);
    assert.throws(() => readTar(tarOfFile('x', Buffer.alloc(2000)).subarray(0, 1024)), /truncated/);
  });

  it('takes only absolute container paths without ..', () => {
    assert.equal(containerPath('/var//log/'), '/var/log/');
    assert.throws(() => containerPath('var/log'), /absolute/);
    assert.throws(() => containerPath('/var/../etc'), /\.\./);
  });
});
