// Entry of the integration suite, in the `@vscode/test-electron` convention: VS Code's extension host calls
// run() and reads success or failure from the promise. Runs the same under code-server (CI) and desktop VS Code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Writes one line per test to the console and to $KWB_TEST_REPORT, which the runner streams to CI's output. */
function reportLine(line: string): void {
  console.log(line);
  const file = process.env.KWB_TEST_REPORT;
  if (file) fs.appendFileSync(file, `${line}\n`);
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'dot' });
  // The @untrusted suites need a window whose folder is not trusted: they run alone (integration-tests --untrusted).
  // The @big suite needs the bench's 50,000-pod cluster: it runs alone (integration-tests --big, from bench/big.ts).
  if (process.env.KWB_UNTRUSTED === '1') mocha.grep('@untrusted');
  else if (process.env.KWB_BIG === '1') mocha.grep('@big');
  else if (process.env.KWB_TEST_GREP) mocha.grep(process.env.KWB_TEST_GREP);
  else mocha.grep(/@untrusted|@big/).invert();
  // The files next to this one are the suites, bundled one per file.
  const dir = __dirname;
  for (const file of fs.readdirSync(dir).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(dir, file));
  }
  return new Promise<void>((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const runner = mocha.run();
    runner.on('pass', (test) => {
      passed++;
      reportLine(`  ✔ ${test.fullTitle()} (${test.duration ?? 0} ms)`);
    });
    runner.on('pending', (test) => {
      skipped++;
      reportLine(`  - SKIPPED ${test.fullTitle()}`);
    });
    runner.on('fail', (test, err: Error) => {
      failed++;
      reportLine(`  ✖ ${test.fullTitle()}\n      ${(err.stack ?? err.message).split('\n').join('\n      ')}`);
    });
    runner.on('end', () => {
      reportLine(`integration: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
      if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
      else resolve();
    });
  });
}
