import * as vscode from 'vscode';
import { KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import type { KubeWorkbenchApi } from '../../src/extension';

export const EXTENSION_ID = 'kube-workbench.kube-workbench';

export function extension(): vscode.Extension<KubeWorkbenchApi> {
  const ext = vscode.extensions.getExtension<KubeWorkbenchApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this VS Code`);
  return ext;
}

export async function api(): Promise<KubeWorkbenchApi> {
  return extension().activate();
}

/** Polls until `check` returns a value (not undefined), or fails with the last thing seen. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Why cluster tests cannot run here, or undefined when the local control plane is up. */
export function clusterAbsentReason(): string | undefined {
  if (process.env.KWB_CLUSTER === 'present') return undefined;
  return process.env.KWB_CLUSTER_SKIP_REASON ?? 'the local control plane is not running (KWB_CLUSTER is not "present")';
}

/**
 * A client-node configuration of our own for `context` (the same KUBECONFIG the extension reads): the tests'
 * "someone else", who creates, changes and checks objects without going through the extension.
 */
export function clientConfig(context = 'kwb-admin'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  kc.setCurrentContext(context);
  return kc;
}

/**
 * A Deployment whose pods no node will take (a nodeSelector nothing matches): they stay Pending (Unschedulable), so
 * its rollout never completes. For the tests of stuck and failing rollouts.
 */
export function unschedulableDeployment(name: string, progressDeadlineSeconds?: number): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas: 1,
      progressDeadlineSeconds,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector: { 'kwb.dev/no-such-node': 'true' }, containers: [{ name: 'web', image: 'nginx' }] },
      },
    },
  };
}

/** A one-replica Deployment whose pods are labelled app=<name>; `podSpec` adds to (or replaces) its pod spec. */
export function simpleDeployment(
  name: string,
  container = 'main',
  podSpec: Partial<NonNullable<NonNullable<V1Deployment['spec']>['template']['spec']>> = {},
): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: container, image: 'nginx:1.27' }], ...podSpec },
      },
    },
  };
}
