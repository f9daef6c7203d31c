// `npm test`: every check the project has, in order, stopping at nothing: lint and types, unit tests, the
// local control plane's own suite, the integration suite in a real VS Code, the UI tests. Installs what is
// missing first (scripts/setup.sh is idempotent). Exits non-zero when any step fails; the last line counts
// the tests of all steps, skipped ones included. The local cluster is always expected here
// (KWB_REQUIRE_CLUSTER=1): its absence, or any test skipped, fails the run instead of passing quietly.
import { spawn } from 'node:child_process';

const steps = [
  { name: 'setup', cmd: 'bash', args: ['scripts/setup.sh'], counts: false },
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '--noEmit'], counts: false },
  { name: 'lint', cmd: 'npx', args: ['eslint', '.'], counts: false },
  { name: 'format', cmd: 'npx', args: ['prettier', '--check', '.'], counts: false },
  { name: 'unit', cmd: process.execPath, args: ['scripts/unit-tests.mjs'], counts: true },
  { name: 'package', cmd: process.execPath, args: ['scripts/package.mjs'], counts: false },
  { name: 'build tests', cmd: process.execPath, args: ['scripts/esbuild.mjs', '--tests'], counts: false },
  {
    name: 'cluster',
    cmd: process.execPath,
    args: [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      'test/cluster/cluster.test.ts',
      'test/cluster/metrics.test.ts',
      'test/cluster/corpus.test.ts',
      'test/cluster/mcp.test.ts',
    ],
    counts: true,
  },
  { name: 'integration', cmd: process.execPath, args: ['scripts/integration-tests.mjs', '--no-build'], counts: true },
  {
    name: 'integration (untrusted)',
    cmd: process.execPath,
    args: ['scripts/integration-tests.mjs', '--no-build', '--untrusted'],
    counts: true,
  },
  { name: 'ui', cmd: process.execPath, args: ['scripts/ui-tests.mjs', '--no-build'], counts: true },
];

const only = process.argv.slice(2);
const env = { ...process.env, KWB_REQUIRE_CLUSTER: '1' };
let passed = 0;
let failed = 0;
let skipped = 0;
const results = [];

function run(step) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${step.name}: ${step.cmd} ${step.args.join(' ')}`);
    const child = spawn(step.cmd, step.args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-20_000);
    });
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      resolve({ name: step.name, ok: code === 0, code: code ?? signal, seconds, tail });
    });
  });
}

/** node:test prints "ℹ pass N" / "ℹ fail N" / "ℹ skipped N"; our runners print "N passed, N failed, N skipped". */
function count(output) {
  const plain = [...output.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/gm)].pop();
  if (plain) return { pass: Number(plain[1]), fail: Number(plain[2]), skip: Number(plain[3] ?? 0) };
  const pass = [...output.matchAll(/^ℹ pass (\d+)/gm)].pop();
  const fail = [...output.matchAll(/^ℹ fail (\d+)/gm)].pop();
  const skip = [...output.matchAll(/^ℹ skipped (\d+)/gm)].pop();
  if (pass || fail) return { pass: Number(pass?.[1] ?? 0), fail: Number(fail?.[1] ?? 0), skip: Number(skip?.[1] ?? 0) };
  return undefined;
}

for (const step of steps) {
  if (only.length > 0 && !only.includes(step.name)) continue;
  const result = await run(step);
  results.push(result);
  if (step.counts) {
    const c = count(result.tail);
    if (c) {
      passed += c.pass;
      failed += c.fail;
      skipped += c.skip;
    } else if (!result.ok) {
      failed += 1;
    }
  }
  if (!result.ok && !step.counts) failed += 1;
}

console.log('\n=== summary');
for (const r of results)
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds} s)${r.ok ? '' : ` exit ${r.code}`}`);
// A CI log is often read from its end only: say there why each failed step failed (its error lines).
for (const r of results.filter((x) => !x.ok)) {
  const why = r.tail
    .split('\n')
    .filter((line) => /^\s*(ERROR\b|✖|not ok\b|\d+\) |Error: )/.test(line))
    .slice(-12)
    .map((line) => `  ${r.name}: ${line.trim().slice(0, 400)}`);
  console.log(why.length > 0 ? why.join('\n') : `  ${r.name}: no error line in its last output; see above`);
}
console.log('screenshots: test-results/screenshots/');
if (skipped > 0) console.log(`FAIL ${skipped} test(s) skipped: every test must run here (KWB_REQUIRE_CLUSTER=1)`);
const ok = results.every((r) => r.ok) && skipped === 0;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok ? 0 : 1);
