import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
// client-node's own mapping from kubeconfig YAML to its Cluster/User/Context objects (a small module that needs
// only node:fs), so that the objects handed to KubeConfig below are exactly what its loadFromString makes,
// without loading the rest of client-node just to list the contexts. The package has no exports map: this path
// is part of the pinned 1.4.x release.
import {
  newClusters,
  newContexts,
  newUsers,
  type Cluster,
  type Context,
  type User,
} from '@kubernetes/client-node/dist/config_types.js';
import { load as loadYaml } from 'js-yaml';
import { NESTING_LIMIT, nestedDeeperThan } from '../common/yamlNesting';
import { clientNode } from './clientNode';

export interface KubeconfigLocation {
  /** The `KUBECONFIG` environment variable, as the user's shell has it. */
  env?: string;
  home?: string;
  /** Extra files named in the settings; read after the KUBECONFIG files, so those win on name clashes. */
  extraFiles?: readonly string[];
  delimiter?: string;
}

/** The files to read, in precedence order, the way kubectl finds them. */
export function kubeconfigPaths(location: KubeconfigLocation = {}): string[] {
  const delimiter = location.delimiter ?? path.delimiter;
  const home = location.home ?? os.homedir();
  const fromEnv = (location.env ?? '')
    .split(delimiter)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const base = fromEnv.length > 0 ? fromEnv : [path.join(home, '.kube', 'config')];
  const extra = (location.extraFiles ?? []).map((p) => (p.startsWith('~/') ? path.join(home, p.slice(2)) : p));
  const seen = new Set<string>();
  return [...base, ...extra]
    .map((p) => path.resolve(p))
    .filter((p) => {
      if (seen.has(p)) return false;
      seen.add(p);
      return true;
    });
}

export interface ContextInfo {
  name: string;
  cluster: string;
  user: string;
  /** The namespace the kubeconfig names for this context, if any. */
  namespace?: string;
  /** The API server URL; undefined when the context names a cluster that no file defines. */
  server?: string;
  /** Which file defined the context. */
  file: string;
}

export interface MergedKubeconfig {
  /** Files that were read successfully. */
  readonly files: readonly string[];
  readonly contexts: readonly ContextInfo[];
  /** kubectl's rule: the first file that sets current-context decides. */
  readonly currentContext: string | undefined;
  /** Things the user may want to fix; none of them stops the others from loading. */
  readonly warnings: readonly string[];
  /** A KubeConfig whose current context is `context`: one per cluster session, so several can be open at once. */
  kubeConfigFor(context: string): KubeConfig;
}

type ReadFile = (file: string) => string;

/**
 * Merges kubeconfig files like kubectl: for each cluster, user and context name the first file wins.
 * Missing, unreadable and duplicate entries become warnings; one broken file never hides the others.
 * Nothing here writes to any kubeconfig.
 */
export function loadKubeconfig(
  files: readonly string[],
  readFile: ReadFile = (f) => fs.readFileSync(f, 'utf8'),
): MergedKubeconfig {
  const warnings: string[] = [];
  const read: string[] = [];
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  const contextFile = new Map<string, string>();
  let currentContext: string | undefined;

  for (const file of files) {
    let text: string;
    try {
      text = readFile(file);
    } catch (err) {
      const code = (err as { code?: string }).code;
      warnings.push(code === 'ENOENT' ? `${file} does not exist` : `${file} could not be read (${code ?? 'error'})`);
      continue;
    }
    if (text.trim().length === 0) {
      warnings.push(`${file} is empty`);
      continue;
    }
    let one: ParsedKubeconfig;
    try {
      one = parseKubeconfig(text, path.dirname(file));
    } catch (err) {
      warnings.push(`${file} is not a valid kubeconfig: ${firstLine(err)}`);
      continue;
    }
    read.push(file);
    mergeNamed(clusters, one.clusters, 'cluster', file, warnings);
    mergeNamed(users, one.users, 'user', file, warnings);
    for (const ctx of one.contexts) {
      if (contexts.has(ctx.name)) {
        warnings.push(`context "${ctx.name}" in ${file} is ignored: ${contextFile.get(ctx.name)} defines it first`);
        continue;
      }
      contexts.set(ctx.name, ctx);
      contextFile.set(ctx.name, file);
    }
    if (!currentContext && one.currentContext) currentContext = one.currentContext;
  }

  if (currentContext && !contexts.has(currentContext)) {
    warnings.push(`current-context "${currentContext}" is not defined in any kubeconfig file`);
    currentContext = undefined;
  }

  const infos: ContextInfo[] = [...contexts.values()].map((ctx) => ({
    name: ctx.name,
    cluster: ctx.cluster,
    user: ctx.user,
    namespace: ctx.namespace,
    server: clusters.get(ctx.cluster)?.server,
    file: contextFile.get(ctx.name) ?? '',
  }));
  for (const info of infos) {
    if (!info.server) warnings.push(`context "${info.name}" names cluster "${info.cluster}", which no file defines`);
  }

  const frozen = {
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
  };
  return {
    files: read,
    contexts: infos,
    currentContext,
    warnings,
    kubeConfigFor(context: string): KubeConfig {
      if (!contexts.has(context)) throw new Error(`context "${context}" is not in the kubeconfig`);
      const kc = new (clientNode().KubeConfig)();
      kc.loadFromOptions({ ...frozen, currentContext: context });
      return kc;
    },
  };
}

interface ParsedKubeconfig {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string | undefined;
}

/**
 * What KubeConfig.loadFromString followed by makePathsAbsolute(dir) reads from one file, without client-node:
 * the same entry mapping and checks (a cluster without a server, a context without a cluster throw), relative
 * certificate and key paths resolved against the file's folder.
 */
function parseKubeconfig(text: string, dir: string): ParsedKubeconfig {
  // js-yaml, as in loadFromString: several times faster than `yaml` on a kubeconfig, and this parse is on the
  // way to showing the contexts.
  if (nestedDeeperThan(text, NESTING_LIMIT) !== undefined)
    throw new Error(`it is nested more than ${NESTING_LIMIT} levels deep`);
  const doc: unknown = loadYaml(text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('it is not a YAML mapping');
  const obj = doc as Record<string, unknown>;
  const clusters = newClusters(obj.clusters);
  const users = newUsers(obj.users);
  const contexts = newContexts(obj.contexts);
  for (const cluster of clusters) if (cluster.caFile) cluster.caFile = absolute(dir, cluster.caFile);
  for (const user of users) {
    if (user.certFile) user.certFile = absolute(dir, user.certFile);
    if (user.keyFile) user.keyFile = absolute(dir, user.keyFile);
    // As client-go: an exec plugin command with a path but not absolute (`./bin/get-token`) is relative to the
    // kubeconfig file's folder; a bare name (`aws`) is looked up on PATH.
    const exec = user.exec as { command?: unknown } | undefined;
    if (exec && typeof exec.command === 'string' && exec.command.includes('/') && !path.isAbsolute(exec.command))
      (user as { exec: unknown }).exec = { ...exec, command: path.join(dir, exec.command) };
  }
  const current = obj['current-context'];
  return { clusters, users, contexts, currentContext: typeof current === 'string' ? current : undefined };
}

function absolute(dir: string, file: string): string {
  return path.isAbsolute(file) ? file : path.join(dir, file);
}

function mergeNamed<T extends { name: string }>(
  into: Map<string, T>,
  items: readonly T[],
  what: string,
  file: string,
  warnings: string[],
): void {
  for (const item of items) {
    if (into.has(item.name)) {
      warnings.push(`${what} "${item.name}" in ${file} is ignored: an earlier file defines it`);
      continue;
    }
    into.set(item.name, item);
  }
}

/** The parser's first line, with its "(line:column)" spelled out so users can find the mistake. */
function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n')[0] ?? text;
  return line.replace(/\s*\((\d+):(\d+)\)$/, ' at line $1, column $2');
}

/**
 * Calls `onChange` (debounced) when any of the files is created, changed, replaced or deleted. Watches the
 * folders rather than the files, since editors and `kubectl config` replace files by renaming.
 */
export function watchKubeconfigFiles(
  files: readonly string[],
  onChange: () => void,
  debounceMs = 300,
): { dispose(): void } {
  const byDir = new Map<string, Set<string>>();
  for (const file of files) {
    const dir = path.dirname(file);
    const names = byDir.get(dir) ?? new Set<string>();
    names.add(path.basename(file));
    byDir.set(dir, names);
  }
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
    timer.unref();
  };
  const watchers: fs.FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) fire();
      });
      watcher.on('error', () => undefined); // the folder may go away; a reload will look again
      watchers.push(watcher);
    } catch {
      // A folder that does not exist yet cannot be watched; the user can reload by command.
    }
  }
  return {
    dispose: () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
