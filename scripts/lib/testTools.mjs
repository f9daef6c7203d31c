// Command-line tools the tests put on PATH, each built from Go modules in test/tools/<name> (as the control plane is
// built from Kubernetes' modules): kustomize today. Each is cached in ~/.cache/kube-workbench/tools/<name>-<hash of
// its sources>/<name>, so a warm run builds nothing. `node scripts/lib/testTools.mjs` builds them (setup.sh runs it).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOOLS = ['kustomize'];

function cacheRoot() {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kube-workbench', 'tools');
}

function sourceHash(dir) {
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(path.join(dir, file)));
  return hash.digest('hex').slice(0, 16);
}

/** Builds what is missing; returns a folder holding every tool (to put first on PATH). */
export function ensureTestTools({ log = (m) => console.log(`[tools] ${m}`) } = {}) {
  const bin = path.join(cacheRoot(), 'bin');
  mkdirSync(bin, { recursive: true });
  for (const name of TOOLS) {
    const source = path.join(repoRoot, 'test', 'tools', name);
    const target = path.join(cacheRoot(), `${name}-${sourceHash(source)}`, name);
    if (!existsSync(target)) {
      log(`building ${name} from Go modules (test/tools/${name})`);
      const goPath = `${process.env.PATH ?? ''}:/usr/local/go/bin`;
      execFileSync('go', ['build', '-o', target, '.'], {
        cwd: source,
        stdio: 'inherit',
        env: { ...process.env, PATH: goPath },
      });
    }
    const link = path.join(bin, name);
    rmSync(link, { force: true });
    symlinkSync(target, link);
  }
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`[tools] ready in ${ensureTestTools()}`);
}
