// `npm run bench`: see bench/run.ts. --expose-gc for the memory figures. Afterwards the README's table is rewritten
// from bench/results.json (scripts/bench-table.mjs).
import { spawnSync } from 'node:child_process';

const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/run.ts'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const table = spawnSync(process.execPath, ['scripts/bench-table.mjs'], { stdio: 'inherit' });
process.exit(table.status ?? 1);
