import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toKubeError } from '../../../src/core/kube/errors';

describe('toKubeError', () => {
  it("uses the server's Status message and the HTTP status", () => {
    const err = {
      code: 403,
      body: JSON.stringify({
        kind: 'Status',
        message:
          'pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "team-b"',
        reason: 'Forbidden',
        code: 403,
      }),
      headers: { authorization: 'Bearer secret-token' },
    };
    const e = toKubeError(err, 'listing pods in team-b on kwb-viewer');
    assert.equal(e.kind, 'forbidden');
    assert.equal(e.status, 403);
    assert.match(e.message, /^Listing pods in team-b on kwb-viewer failed: pods is forbidden: .*\(HTTP 403\)$/);
    assert.doesNotMatch(e.message, /secret-token/);
  });

  it('explains a status without a body', () => {
    const e = toKubeError({ statusCode: 401 }, 'connecting to prod');
    assert.equal(e.kind, 'unauthorized');
    assert.match(e.message, /credentials were rejected/);
  });

  it('reads Retry-After on 429', () => {
    const e = toKubeError({ code: 429, body: '', headers: { 'Retry-After': '3' } }, 'listing pods');
    assert.equal(e.kind, 'tooManyRequests');
    assert.equal(e.retryAfterSeconds, 3);
    assert.ok(e.retryable);
  });

  it('maps a watch ERROR event Status (410) to gone', () => {
    const e = toKubeError({ kind: 'Status', code: 410, message: 'too old resource version: 1 (20)' }, 'watching pods');
    assert.equal(e.kind, 'gone');
    assert.match(e.message, /too old resource version/);
  });

  it('maps network failures, also when wrapped as a cause', () => {
    const refused = toKubeError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'connecting to kwb-offline',
    );
    assert.equal(refused.kind, 'unreachable');
    assert.match(refused.message, /Connecting to kwb-offline failed: connection refused; is the cluster running/);
    const wrapped = toKubeError({ message: 'request failed', cause: { code: 'ETIMEDOUT' } }, 'listing pods');
    assert.equal(wrapped.kind, 'timeout');
  });

  it('never shows unknown exception text (it can carry headers)', () => {
    const e = toKubeError(new Error('boom Authorization: Bearer abc'), 'doing something');
    assert.equal(e.kind, 'other');
    assert.doesNotMatch(e.message, /Bearer/);
    assert.match(e.message, /see the Kube Workbench log/);
  });
});
