import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contextPolicy, globToRegExp } from '../../../src/core/kube/contextPolicy';

describe('contextPolicy', () => {
  it('matches globs on the whole name, ignoring case', () => {
    assert.ok(globToRegExp('prod-*').test('PROD-eu-1'));
    assert.ok(!globToRegExp('prod-*').test('preprod-eu'));
    assert.ok(globToRegExp('*production*').test('gke_acme_production_west'));
    assert.ok(globToRegExp('kwb-?dmin').test('kwb-admin'));
    assert.ok(!globToRegExp('a.b').test('axb'), 'dots are literal');
  });

  it('read-only wins over confirm; blank patterns match nothing', () => {
    const settings = { readOnly: ['prod-*', ' '], confirm: ['prod-*', 'stage-*'] };
    assert.equal(contextPolicy('prod-1', settings), 'readOnly');
    assert.equal(contextPolicy('stage-1', settings), 'confirm');
    assert.equal(contextPolicy('dev', settings), 'normal');
    assert.equal(contextPolicy('', { readOnly: [''], confirm: [] }), 'normal');
  });
});
