import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterSchemas } from '../../../src/core/yaml/schemaSources';

/** A cluster of a given version serving one group-version (this is the cache's input, not a protocol fault). */
function fetcher(version: string) {
  return {
    context: 'c',
    server: 'https://cluster.example:6443',
    getJson: (path: string): Promise<unknown> => {
      if (path === '/openapi/v3')
        return Promise.resolve({ paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${version}` } } });
      if (path === '/version')
        return Promise.resolve({ gitVersion: version, major: '1', minor: version.split('.')[1] });
      return Promise.resolve({
        components: {
          schemas: {
            'io.k8s.api.core.v1.ConfigMap': {
              type: 'object',
              properties: { data: { type: 'object' } },
              'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'ConfigMap' }],
            },
          },
        },
      });
    },
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => join(dir, p));
}

describe('the schema cache', () => {
  it('is private to the user (folders 0700, files 0600) under a permissive umask, and keeps three versions', async () => {
    const previous = process.umask(0o000);
    try {
      const cache = join(mkdtempSync(join(tmpdir(), 'kwb-schema-cache-')), 'schemas');
      for (const version of ['v1.31.0', 'v1.32.0', 'v1.33.0', 'v1.34.0']) {
        const schemas = new ClusterSchemas(fetcher(version), cache);
        assert.ok(await schemas.groupVersion('v1'));
        await new Promise((r) => setTimeout(r, 20)); // distinct modification times
      }
      for (const path of [cache, ...walk(cache)]) {
        const mode = statSync(path).mode & 0o777;
        assert.equal(mode, statSync(path).isDirectory() ? 0o700 : 0o600, `${path}: ${mode.toString(8)}`);
      }
      const [server] = readdirSync(cache);
      const versions = readdirSync(join(cache, server!)).sort();
      assert.equal(versions.length, 3, versions.join(', '));
      assert.ok(!versions.some((v) => v.endsWith('v1.31.0')), 'the oldest version was trimmed');
    } finally {
      process.umask(previous);
    }
  });
});
