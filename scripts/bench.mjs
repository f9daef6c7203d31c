// `npm run bench`: see bench/run.ts. --expose-gc for the memory figures.
import { spawnSync } from 'node:child_process';

const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/run.ts'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
