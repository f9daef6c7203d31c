// Writes the table of bench/results.json into README.md, between the bench-table markers; `npm run bench` calls it
// after a full run, so the README always shows the latest results.
import { readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';

const results = JSON.parse(readFileSync('bench/results.json', 'utf8'));
const cell = (text) => String(text).replaceAll('|', '\\|');
const lines = [
  '| Benchmark | Value | Floor (same run) | Ratio | Target | Note |',
  '|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${cell(r.name)} | ${r.value} ${r.unit} | ${r.floor ?? '–'} | ${r.ratio === null ? '–' : `${r.ratio}x`} | ${cell(r.target)} | ${cell(r.note ?? '')} |`,
  ),
];
const readme = readFileSync('README.md', 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} section`);
writeFileSync('README.md', `${readme.slice(0, from + START.length)}\n${lines.join('\n')}\n${readme.slice(to)}`);
console.log(`README.md: benchmark table updated (${results.length} rows)`);
