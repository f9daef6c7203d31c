import type { ApiResource } from '../kube/discovery';
import { kindInfo } from '../resources/kinds';
import type { ResourceKey } from '../resources/objectRef';
import { HELM_OWNER_SELECTOR, type ManifestObject, type StorageKind } from './release';

/**
 * Where the tree finds Helm releases and the objects of their manifests. Pure: no I/O, no `vscode`.
 */

/**
 * The two watched lists of helm's records in a namespace (or all): Secrets and ConfigMaps labelled owner=helm.
 * The label selector makes them other lists than the Secrets and ConfigMaps folders' (see keyId).
 */
export function helmRecordKeys(namespace: string | undefined): { storage: StorageKind; key: ResourceKey }[] {
  const common = { group: '', version: 'v1', namespaced: true, namespace, labelSelector: HELM_OWNER_SELECTOR };
  return [
    { storage: 'secret', key: { ...common, plural: 'secrets', kind: 'Secret' } },
    { storage: 'configmap', key: { ...common, plural: 'configmaps', kind: 'ConfigMap' } },
  ];
}

/** The group of an apiVersion (`apps/v1` → `apps`, `v1` → ''). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The resource a manifest object is listed under: a built-in kind of the registry, else what discovery found for
 * its group and kind (a CRD's); undefined when the cluster does not serve it.
 */
export function kindForManifestObject(
  object: ManifestObject,
  resources: readonly ApiResource[],
): Omit<ResourceKey, 'namespace'> | undefined {
  const group = groupOf(object.apiVersion);
  const known = kindInfo(object.kind);
  if (known && known.group === group) {
    const { kind, version, plural, namespaced } = known;
    return { group, kind, version, plural, namespaced };
  }
  const found = resources.find((r) => r.group === group && r.kind === object.kind);
  if (!found) return undefined;
  const { kind, version, plural, namespaced } = found;
  return { group, kind, version, plural, namespaced };
}
