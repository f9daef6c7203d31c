import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Running the helm binary for what needs Helm's own logic (rollback, uninstall: hooks, storage records). Never a
 * shell: `execFile` with an argument array built here from validated names, so a release, namespace or context
 * name can never become a flag or a command.
 */

/** Helm's own rule for release names (pkg/chartutil validateReleaseName): a DNS-1123 subdomain of at most 53. */
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export class HelmCliError extends Error {
  constructor(
    message: string,
    readonly kind: 'notInstalled' | 'invalid' | 'failed',
  ) {
    super(message);
    this.name = 'HelmCliError';
  }
}

export function releaseNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 53) return `release name "${name}" must be 1 to 53 characters`;
  if (!RELEASE_NAME.test(name)) return `release name "${name}" is not a valid Helm release name`;
  return undefined;
}

export function namespaceProblem(namespace: string): string | undefined {
  if (namespace.length === 0 || namespace.length > 63 || !NAMESPACE.test(namespace))
    return `namespace "${namespace}" is not a valid namespace name`;
  return undefined;
}

/** A kubeconfig context name goes in as `--kube-context=<name>`: one argument, so no value is read as a flag. */
export function contextProblem(context: string): string | undefined {
  if (context.length === 0 || context.length > 253) return 'the context name is empty or too long';
  if (/[\0\r\n]/.test(context)) return 'the context name has control characters';
  return undefined;
}

export interface HelmTarget {
  readonly context: string;
  /** The kubeconfig files the extension reads, passed to helm as KUBECONFIG (helm merges them like kubectl). */
  readonly kubeconfigFiles: readonly string[];
  readonly namespace: string;
  readonly release: string;
  /** Where the release's records are: helm must be told (HELM_DRIVER), or it finds no release. Default: Secrets. */
  readonly storage?: 'secret' | 'configmap';
}

function check(target: HelmTarget): void {
  const problem =
    contextProblem(target.context) ?? namespaceProblem(target.namespace) ?? releaseNameProblem(target.release);
  if (problem) throw new HelmCliError(`Refusing to run helm: ${problem}`, 'invalid');
  for (const f of target.kubeconfigFiles)
    if (!f || /[\0\r\n]/.test(f) || f.includes(delimiter))
      throw new HelmCliError(`Refusing to run helm: kubeconfig path "${f}" cannot be passed`, 'invalid');
}

/** The common flags: context, kubeconfig (first file; the rest through KUBECONFIG), namespace. */
function commonArgs(target: HelmTarget): string[] {
  const args = [`--kube-context=${target.context}`, `--namespace=${target.namespace}`];
  if (target.kubeconfigFiles.length === 1) args.push(`--kubeconfig=${target.kubeconfigFiles[0]!}`);
  return args;
}

/** `helm rollback <release> <revision> --wait=false`: the arguments, after the names are checked. */
export function rollbackArgs(target: HelmTarget, revision: number): string[] {
  check(target);
  if (!Number.isInteger(revision) || revision < 1)
    throw new HelmCliError(`Refusing to run helm: revision ${revision} is not a positive integer`, 'invalid');
  return ['rollback', target.release, String(revision), ...commonArgs(target)];
}

/** `helm uninstall <release>`. */
export function uninstallArgs(target: HelmTarget): string[] {
  check(target);
  return ['uninstall', target.release, ...commonArgs(target)];
}

/** The first executable `helm` on PATH (`helm.exe` on Windows), or undefined. */
export function findHelm(path = process.env.PATH ?? '', platform = process.platform): string | undefined {
  const names = platform === 'win32' ? ['helm.exe'] : ['helm'];
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        if (!statSync(candidate).isFile()) continue;
        if (platform !== 'win32') accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export const HELM_NOT_INSTALLED =
  'helm is not installed (not found on PATH). Rollback and uninstall run Helm itself (hooks, release records): install helm 3 (https://helm.sh/docs/intro/install/) and try again. Nothing was changed.';

export interface HelmRun {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs helm with `args` (no shell). Rejects with HelmCliError: `notInstalled` when no helm is on PATH, `failed`
 * with helm's own message otherwise. HELM_* cache/config/data dirs are passed through from the environment.
 */
export function runHelm(
  args: readonly string[],
  target: HelmTarget,
  options: { helmPath?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HelmRun> {
  const env = options.env ?? process.env;
  const helm = options.helmPath ?? findHelm(env.PATH);
  if (!helm) return Promise.reject(new HelmCliError(HELM_NOT_INSTALLED, 'notInstalled'));
  const childEnv: NodeJS.ProcessEnv = { ...env, HELM_NO_PLUGINS: '1', HELM_DRIVER: target.storage ?? 'secret' };
  if (target.kubeconfigFiles.length > 1) childEnv.KUBECONFIG = target.kubeconfigFiles.join(delimiter);
  return execHelm(helm, args, childEnv, HELM_NOT_INSTALLED, options);
}

/**
 * Runs helm where no cluster is involved (`helm template`): no kubeconfig, no storage driver. Rejects like runHelm;
 * `notInstalled` says what was not done with `notInstalledMessage`.
 */
export function runHelmOffline(
  args: readonly string[],
  notInstalledMessage: string,
  options: { helmPath?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal; cwd?: string } = {},
): Promise<HelmRun> {
  const env = options.env ?? process.env;
  const helm = options.helmPath ?? findHelm(env.PATH);
  if (!helm) return Promise.reject(new HelmCliError(notInstalledMessage, 'notInstalled'));
  return execHelm(helm, args, { ...env, HELM_NO_PLUGINS: '1' }, notInstalledMessage, {
    ...options,
    maxBuffer: 64 * 2 ** 20,
  });
}

function execHelm(
  helm: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  notInstalledMessage: string,
  options: { timeoutMs?: number; signal?: AbortSignal; maxBuffer?: number; cwd?: string },
): Promise<HelmRun> {
  return new Promise((resolve, reject) => {
    execFile(
      helm,
      [...args],
      {
        env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 5 * 60_000,
        maxBuffer: options.maxBuffer ?? 4 * 2 ** 20,
        signal: options.signal,
        windowsHide: true,
        shell: false,
      },
      (err, stdout, stderr) => {
        if (err) {
          // A kubeWorkbench.helm.path that names no program: the same as no helm at all.
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(new HelmCliError(`${notInstalledMessage} (${helm} does not exist)`, 'notInstalled'));
            return;
          }
          const text = (stderr || err.message).trim().split('\n').slice(-5).join('\n');
          reject(new HelmCliError(`helm ${args[0] ?? ''} failed: ${text}`, 'failed'));
        } else resolve({ stdout, stderr });
      },
    );
  });
}
