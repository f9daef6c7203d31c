// Runs the unit tests (node:test through tsx). Node 20's --test neither finds .ts files nor expands globs.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const files = readdirSync('test/unit', { recursive: true })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/unit/${f}`)
  .sort();
if (files.length === 0) {
  console.error('no unit tests found under test/unit');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
