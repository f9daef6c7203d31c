/**
 * kustomize, run as the user's own `kustomize` program (there is no maintained JavaScript implementation): an
 * argument list, never a shell string; bounded in time and output. Says so plainly when it is not installed.
 */
import { execFile } from 'node:child_process';
import { KubeError } from '../kube/errors';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MAX_OUTPUT_BYTES = 64 * 2 ** 20;

export interface KustomizeOptions {
  /** The program: a path, or a name looked up on PATH (default `kustomize`). */
  readonly program?: string;
  readonly timeoutMs?: number;
}

/** `kustomize build <folder>`: the rendered documents as one YAML text. */
export function kustomizeBuild(folder: string, options: KustomizeOptions = {}): Promise<string> {
  const program = options.program?.trim() || 'kustomize';
  return new Promise((resolve, reject) => {
    execFile(
      program,
      ['build', folder],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8', windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(
            new KubeError(
              'config',
              `kustomize is not installed (no "${program}" on PATH): install it (https://kubectl.docs.kubernetes.io/installation/kustomize/) or set kubeWorkbench.kustomize.path; nothing was built`,
            ),
          );
          return;
        }
        if ((err as { killed?: boolean }).killed) {
          reject(
            new KubeError('timeout', `kustomize build ${folder} did not finish in time (or wrote more than 64 MiB)`),
          );
          return;
        }
        const why = stderr.trim().split('\n').slice(-5).join(' ') || err.message;
        reject(new KubeError('invalid', `kustomize build ${folder} failed: ${why}`));
      },
    );
  });
}
