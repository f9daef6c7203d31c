import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiVersionOf,
  collectionOf,
  collectionPath,
  describeRef,
  formatDocumentPath,
  objectPath,
  pathOf,
  pathSegmentProblem,
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
      objectPath({ ...configMap, group: 'apps', plural: 'deployments', name: 'x?y#z' }),
      '/apis/apps/v1/namespaces/demo/deployments/x%3Fy%23z',
    );
    // Encoding alone is not enough: the API server decodes %2F back to "/" and resolves "..", so it is refused.
    assert.throws(() => objectPath({ ...configMap, group: 'apps', plural: 'deployments', name: '../x?y' }), /"\/"/);
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

describe('names are path segments, checked where paths are made', () => {
  const secret = (name: string, namespace = 'prod'): ObjectRef => ({
    context: 'c',
    group: '',
    version: 'v1',
    plural: 'secrets',
    kind: 'Secret',
    namespace,
    name,
  });

  it('refuses ".", "..", empty, "/", "%" and control characters in any segment, saying which and why', () => {
    for (const [name, why] of [
      ['.', /may not be "\."/],
      ['..', /may not be "\.\."/],
      ['', /it is empty/],
      ['a/b', /may not contain "\/"/],
      ['a%2Fb', /may not contain "%"/],
      ['x\u0000y', /control characters/],
      ['line\nbreak', /control characters/],
      ['del\u007f', /control characters/],
    ] as const) {
      assert.throws(
        () => objectPath(secret(name)),
        (err: Error & { kind?: string }) =>
          err.kind === 'invalid' && why.test(err.message) && /Secret in namespace "prod"/.test(err.message),
        JSON.stringify(name),
      );
      assert.ok(pathSegmentProblem(name), JSON.stringify(name));
    }
    assert.throws(() => objectPath(secret('db', '..')), /namespace "\.\."/);
    assert.throws(() => objectPath({ ...secret('db'), plural: '..' }), /resource "\.\."/);
    assert.throws(() => objectPath({ ...secret('db'), group: 'apps/..', version: 'v1' }), /API group/);
    assert.throws(() => collectionPath({ group: '', version: 'v1', plural: 'pods', namespaced: true, namespace: '.' }));
    assert.throws(() => pathOf('Pod', 'demo', '..'), /name "\.\."/);
  });

  it('keeps legal names that look odd, encoded', () => {
    assert.equal(pathSegmentProblem('system:node:kwb-node-1'), undefined);
    assert.equal(pathSegmentProblem('a..b'), undefined);
    assert.equal(pathSegmentProblem('...'), undefined);
    assert.equal(
      objectPath({
        ...secret('system:serviceaccount@x'),
        plural: 'clusterrolebindings',
        group: 'rbac.authorization.k8s.io',
        namespace: undefined,
      }),
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system%3Aserviceaccount%40x',
    );
    assert.equal(collectionOf('Pod', undefined), '/api/v1/pods');
    assert.equal(collectionOf('Deployment', 'demo'), '/apis/apps/v1/namespaces/demo/deployments');
  });
});
