import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeGuard, isChange, type Refusal } from '../../../src/core/kube/changeGuard';
import { KubeError } from '../../../src/core/kube/errors';

describe('ChangeGuard', () => {
  it('judges the request, not its caller: every write method is a change, reads and dry runs are not', () => {
    const path = '/api/v1/namespaces/prod/secrets/db';
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'delete', 'Patch'])
      assert.equal(isChange({ method, path }), true, method);
    for (const method of ['GET', 'HEAD', 'get']) assert.equal(isChange({ method, path }), false, method);
    assert.equal(isChange({ method: 'PATCH', path, query: { dryRun: 'All', fieldManager: 'x' } }), false);
    // Only the API's own spelling is a dry run; anything else would be a real write on the server.
    assert.equal(isChange({ method: 'PATCH', path, query: { dryRun: 'all' } }), true);
    assert.equal(isChange({ method: 'DELETE', path, query: { dryRun: 'true' } }), true);
    assert.equal(isChange({ method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' }), false);
    // A review path with something after it is not the review: exact paths only.
    assert.equal(
      isChange({ method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/../../../api/v1/x' }),
      true,
    );
    assert.equal(isChange({ method: 'POST', path: '/api/v1/namespaces/prod/pods/web/eviction' }), true);
  });

  it('refuses changes and acting connections on read-only contexts, with a message naming both', () => {
    const settings = { readOnly: ['prod-*'], confirm: ['stage-*'] };
    const guard = new ChangeGuard(() => settings);
    const refusals: Refusal[] = [];
    guard.onDidRefuse((r) => refusals.push(r));
    const refused = (fn: () => void): KubeError => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof KubeError);
        return err;
      }
      assert.fail('expected a refusal');
    };
    const err = refused(() =>
      guard.admit('prod-eu', { method: 'DELETE', path: '/api/v1/namespaces/a/pods/b' }, 'deleting Pod "b"'),
    );
    assert.equal(err.kind, 'readOnly');
    assert.match(err.message, /Context "prod-eu" is read-only .*: deleting Pod "b" was not done/);
    assert.equal(
      refused(() => guard.admitConnection('PROD-us', 'portforward', 'forwarding to port 80')).kind,
      'readOnly',
    );
    assert.equal(refused(() => guard.admitConnection('prod-1', 'exec', 'running "sh"')).kind, 'readOnly');
    assert.deepEqual(
      refusals.map((r) => r.context),
      ['prod-eu', 'PROD-us', 'prod-1'],
    );
    // Reads pass on read-only contexts; changes pass on others (confirm is the UI's business).
    guard.admit('prod-eu', { method: 'GET', path: '/api/v1/namespaces/a/pods' }, 'listing pods');
    guard.admit('stage-1', { method: 'DELETE', path: '/api/v1/namespaces/a/pods/b' }, 'deleting');
    guard.admitConnection('dev', 'attach', 'attaching');
    assert.equal(refusals.length, 3);
    // The settings are read on every request: a context made read-only later is refused at once.
    settings.readOnly = ['dev'];
    assert.equal(refused(() => guard.admitConnection('dev', 'attach', 'attaching')).kind, 'readOnly');
  });
});
