import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupOf, helmRecordKeys, kindForManifestObject } from '../../../src/core/helm/releaseTree';
import { collectionPath, keyId } from '../../../src/core/resources/objectRef';
import type { ApiResource } from '../../../src/core/kube/discovery';

describe('Helm releases in the tree', () => {
  it("watches helm's records as lists of their own (label selector owner=helm), apart from the Secrets folder", () => {
    const [secrets, configMaps] = helmRecordKeys('apps');
    assert.equal(secrets?.storage, 'secret');
    assert.equal(configMaps?.storage, 'configmap');
    assert.equal(collectionPath(secrets.key), '/api/v1/namespaces/apps/secrets');
    assert.equal(keyId(secrets.key), '/v1/secrets/apps?owner=helm');
    const folder = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, namespace: 'apps' };
    assert.notEqual(keyId(folder), keyId(secrets.key));
    assert.equal(keyId(helmRecordKeys(undefined)[1]!.key), '/v1/configmaps/*?owner=helm');
  });

  it("finds the list of each manifest object: the registry's kinds, then discovery's (CRDs), else none", () => {
    assert.equal(groupOf('apps/v1'), 'apps');
    assert.equal(groupOf('v1'), '');
    const widget: ApiResource = {
      group: 'demo.kwb.dev',
      version: 'v1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: true,
      verbs: ['list', 'watch'],
      shortNames: [],
    };
    assert.deepEqual(kindForManifestObject({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, []), {
      group: 'apps',
      version: 'v1',
      plural: 'deployments',
      kind: 'Deployment',
      namespaced: true,
    });
    assert.equal(
      kindForManifestObject({ apiVersion: 'demo.kwb.dev/v1', kind: 'Widget', name: 'w' }, [widget])?.plural,
      'widgets',
    );
    assert.equal(kindForManifestObject({ apiVersion: 'other.io/v1', kind: 'Widget', name: 'w' }, [widget]), undefined);
    // A kind of the registry's name in another group is not the registry's.
    assert.equal(kindForManifestObject({ apiVersion: 'example.com/v1', kind: 'Deployment', name: 'x' }, []), undefined);
  });
});
