// One Go program the tests run (helm, metrics-server), built from a module of its own under test/cluster/ and cached
// in ${XDG_CACHE_HOME:-~/.cache}/kube-workbench/<name>-<hash>/<name>, keyed by the link flags and the module's
// go.mod and go.sum: a warm run builds nothing, a changed pin builds once.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../cluster.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * @param {{ name: string, moduleDir: string, pkg: string, ldflags: () => string, version: () => string }} tool
 */
export function goBinary(tool) {
  function sourceHash() {
    const h = createHash('sha256');
    h.update(tool.ldflags());
    for (const f of ['go.mod', 'go.sum']) {
      h.update('\0');
      h.update(readFileSync(join(tool.moduleDir, f)));
    }
    return h.digest('hex').slice(0, 16);
  }

  function binaryPath() {
    return join(cacheRoot(), `${tool.name}-${sourceHash()}`, tool.name);
  }

  /** Builds the program if it is not cached yet; resolves to its path. */
  async function build({ quiet = false } = {}) {
    const bin = binaryPath();
    if (existsSync(bin)) return bin;
    mkdirSync(dirname(bin), { recursive: true });
    const tmp = `${bin}.tmp-${process.pid}`;
    const log = (m) => {
      if (!quiet) process.stderr.write(`${tool.name}: ${m}\n`);
    };
    log(`building ${tool.name} ${tool.version()} from ${relative(repoRoot, tool.moduleDir)} into ${bin}`);
    const started = Date.now();
    await new Promise((resolveP, reject) => {
      const child = spawn(
        'go',
        ['build', '-trimpath', '-buildvcs=false', `-ldflags=${tool.ldflags()}`, '-o', tmp, tool.pkg],
        {
          cwd: tool.moduleDir,
          stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
          env: { ...process.env, GOFLAGS: [process.env.GOFLAGS, '-mod=readonly'].filter(Boolean).join(' ') },
        },
      );
      child.on('error', reject);
      child.on('exit', (code, signal) =>
        code === 0 ? resolveP() : reject(new Error(`go build of ${tool.name} failed (${signal ?? `exit ${code}`})`)),
      );
    });
    renameSync(tmp, bin);
    log(`built in ${Math.round((Date.now() - started) / 1000)}s`);
    return bin;
  }

  return { sourceHash, binaryPath, build };
}
