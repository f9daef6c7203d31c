import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiVersionOf,
  describeRef,
  formatDocumentPath,
  objectPath,
  parseDocumentPath,
  type ObjectRef,
} from '../../../src/core/resources/objectRef';

const configMap: ObjectRef = {
  context: 'kwb-admin',
  group: '',
  version: 'v1',
  plural: 'configmaps',
  namespace: 'demo',
  name: 'web-config',
};

describe('document paths', () => {
  it('formats the readable layout', () => {
    assert.equal(formatDocumentPath(configMap), '/kwb-admin/_core/v1/configmaps/demo/web-config.yaml');
    assert.equal(
      formatDocumentPath({ context: 'c', group: 'apps', version: 'v1', plural: 'deployments', name: 'x' }),
      '/c/apps/v1/deployments/_cluster/x.yaml',
    );
  });

  it('round-trips odd names', () => {
    const odd: ObjectRef[] = [
      configMap,
      { ...configMap, context: 'arn:aws:eks:eu-west-1:123:cluster/prod name', name: 'a.b.yaml' },
      { ...configMap, context: 'user@cluster/%2F?#', name: 'x%20y' },
      { ...configMap, group: 'demo.kwb.dev', plural: 'widgets', name: "it's (weird) *" },
      { context: 'c', group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', name: 'system:node' },
      { ...configMap, name: 'ümlaut-名前' },
    ];
    for (const ref of odd) {
      const path = formatDocumentPath(ref);
      assert.equal(path.split('/').length, 7, path);
      assert.deepEqual(parseDocumentPath(path), { ...ref, namespace: ref.namespace }, path);
      assert.deepEqual(parseDocumentPath(formatDocumentPath(ref, '.txt'), '.txt'), parseDocumentPath(path));
    }
  });

  it('rejects paths that are not ours', () => {
    assert.equal(parseDocumentPath('/a/b/c'), undefined);
    assert.equal(parseDocumentPath('/kwb-admin/_core/v1/configmaps/demo/web-config.json'), undefined);
    assert.equal(parseDocumentPath('/kwb-admin/_core/v1/configmaps/demo/.yaml'), undefined);
    assert.equal(parseDocumentPath('/kwb-admin/_core/v1/configmaps/demo/%E0%A4%A.yaml'), undefined);
  });
});

describe('API paths', () => {
  it('encodes names as data', () => {
    assert.equal(objectPath(configMap), '/api/v1/namespaces/demo/configmaps/web-config');
    assert.equal(
      objectPath({ ...configMap, group: 'apps', plural: 'deployments', name: '../x?y' }),
      '/apis/apps/v1/namespaces/demo/deployments/..%2Fx%3Fy',
    );
    assert.equal(
      objectPath({ context: 'c', group: '', version: 'v1', plural: 'nodes', name: 'n1' }),
      '/api/v1/nodes/n1',
    );
  });

  it('names objects for messages', () => {
    assert.equal(apiVersionOf({ group: 'apps', version: 'v1' }), 'apps/v1');
    assert.equal(
      describeRef(configMap, 'ConfigMap'),
      'ConfigMap "web-config" in namespace "demo" on context "kwb-admin"',
    );
    assert.equal(describeRef({ ...configMap, namespace: undefined }), 'configmaps/web-config on context "kwb-admin"');
  });
});
