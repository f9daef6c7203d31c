import { KubeError } from '../kube/errors';
import type { JsonTransport } from '../kube/transport';
import type { KubeObject } from '../resources/kubeObject';
import { collectionPath, pathOf } from '../resources/objectRef';
import { releaseNameProblem } from './helmCli';
import {
  HELM_OWNER_SELECTOR,
  HelmStorageError,
  decodeRecord,
  recordNameOf,
  type HelmRelease,
  type StorageKind,
} from './release';

/**
 * Reading releases from the cluster: one revision's record, or every revision of a release (`helm history`).
 * Reads only; nothing here changes the cluster.
 */

/** The largest record read: a Secret or ConfigMap is at most 1.5 MB in etcd, with room to spare. */
const MAX_RECORD_BYTES = 32 * 2 ** 20;

export interface ReleaseAddress {
  readonly namespace: string;
  readonly release: string;
}

function checkName(release: string): void {
  const problem = releaseNameProblem(release);
  if (problem) throw new KubeError('invalid', `Not a Helm release: ${problem}`);
}

/** One revision, from its Secret (helm's default storage) or else its ConfigMap. */
export async function readRevision(
  client: JsonTransport,
  at: ReleaseAddress,
  revision: number,
  storage?: StorageKind,
): Promise<HelmRelease> {
  checkName(at.release);
  const name = recordNameOf(at.release, revision);
  const order: StorageKind[] = storage ? [storage] : ['secret', 'configmap'];
  let lastError: unknown;
  for (const kind of order) {
    try {
      const obj = await client.getJson<KubeObject>(
        pathOf(kind === 'secret' ? 'Secret' : 'ConfigMap', at.namespace, name),
        { maxBytes: MAX_RECORD_BYTES },
        `reading revision ${revision} of Helm release ${at.namespace}/${at.release}`,
      );
      return decodeRecord(obj, kind);
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'notFound')) throw err;
      lastError = err;
    }
  }
  throw new KubeError(
    'notFound',
    `Revision ${revision} of Helm release ${at.namespace}/${at.release} is not stored (no ${name})`,
    404,
    { cause: lastError },
  );
}

/** One stored revision: decoded, or why it cannot be. */
export interface RevisionEntry {
  readonly revision: number;
  readonly storage: StorageKind;
  readonly record: string;
  readonly status: string;
  readonly release?: HelmRelease;
  readonly error?: string;
}

/** Every stored revision of a release, newest first (`helm history`). */
export async function listRevisions(client: JsonTransport, at: ReleaseAddress): Promise<RevisionEntry[]> {
  checkName(at.release);
  const labelSelector = `${HELM_OWNER_SELECTOR},name=${at.release}`;
  const out: RevisionEntry[] = [];
  for (const [storage, kind, plural] of [
    ['secret', 'Secret', 'secrets'],
    ['configmap', 'ConfigMap', 'configmaps'],
  ] as const) {
    const path = collectionPath({ group: '', version: 'v1', plural, namespaced: true, namespace: at.namespace });
    let items: KubeObject[];
    try {
      const list = await client.getJson<{ items?: KubeObject[] }>(
        path,
        { query: { labelSelector }, maxBytes: 8 * MAX_RECORD_BYTES },
        `listing the revisions of Helm release ${at.namespace}/${at.release}`,
      );
      items = list.items ?? [];
    } catch (err) {
      // ConfigMap storage is the exception: a user who may read the Secrets but not the ConfigMaps still sees them.
      if (storage === 'configmap' && err instanceof KubeError && err.kind === 'forbidden') continue;
      throw err;
    }
    for (const obj of items) {
      if (storage === 'secret' && (obj as { type?: unknown }).type !== 'helm.sh/release.v1') continue;
      const labels = (obj.metadata?.labels ?? {}) as Record<string, string>;
      const record = `${kind} ${at.namespace}/${obj.metadata?.name ?? '?'}`;
      try {
        const release = decodeRecord(obj, storage);
        out.push({ revision: release.revision, storage, record, status: release.status, release });
      } catch (err) {
        const revision = Number(labels.version);
        out.push({
          revision: Number.isInteger(revision) ? revision : 0,
          storage,
          record,
          status: labels.status ?? 'unknown',
          error: err instanceof HelmStorageError ? err.message : String(err),
        });
      }
    }
  }
  return out.sort((a, b) => b.revision - a.revision);
}
