/**
 * Schema fidelity: our validation (the real language server, fed the cluster's own schemas the way the extension
 * feeds them) must agree with the API server's own verdict (a server-side dry run with fieldValidation=Strict) on
 * the corpus of test/cluster/corpus.ts. A false positive (we say error, the server accepts) fails the test; a
 * false negative (the server refuses, we accept) is reported with its class: checks a schema cannot express.
 *
 *   node --import tsx --test test/cluster/corpus.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClusterClient } from '../../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../../src/core/kube/changeGuard';
import { loadKubeconfig } from '../../src/core/kube/kubeconfig';
import { toKubeError } from '../../src/core/kube/errors';
import { IncrementalAnalyzer } from '../../src/core/yaml/manifestDetection';
import {
  ClusterSchemas,
  SchemaDocuments,
  schemaSequenceFor,
  yamlServerSettings,
} from '../../src/core/yaml/schemaSources';
import { startLspServer, type LspServer } from '../unit/server/lspServer';
import { CORPUS_NAMESPACE, corpus, type CorpusEntry } from './corpus';
import { startCluster, type LocalCluster } from './index';

let cluster: LocalCluster;
let client: ClusterClient;
let server: LspServer;
const texts = new Map<string, string>();
const docs = new SchemaDocuments();
let schemas: ClusterSchemas;

/** The API server's verdict: a dry run of the object with Strict field validation. */
async function serverVerdict(entry: CorpusEntry): Promise<string | undefined> {
  const object = (await import('yaml')).parse(entry.text) as {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
  };
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const resources = (
    await client.getJson<{ resources: { kind: string; name: string; namespaced: boolean }[] }>(
      group ? `/apis/${group}/${version}` : `/api/${version}`,
    )
  ).resources;
  const resource = resources.find((r) => r.kind === object.kind && !r.name.includes('/'));
  if (!resource) return `no resource for ${object.kind}`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ns = resource.namespaced ? `/namespaces/${object.metadata.namespace ?? CORPUS_NAMESPACE}` : '';
  try {
    await client.request(`${base}${ns}/${resource.name}/${encodeURIComponent(object.metadata.name)}`, {
      method: 'PATCH',
      query: { dryRun: 'All', fieldManager: 'kwb-corpus', fieldValidation: 'Strict', force: true },
      body: JSON.stringify(object),
      contentType: 'application/apply-patch+yaml',
    });
    return undefined;
  } catch (err) {
    return toKubeError(err, 'dry run').message;
  }
}

/** Our verdict: the errors the language server publishes for the file. */
async function ourVerdict(entry: CorpusEntry, index: number): Promise<string | undefined> {
  const name = `corpus-${index}.yaml`;
  texts.set(`file:///tmp/${name}`, entry.text);
  await server.open(name, entry.text);
  const published = await server.diagnosticsOf(name, () => true, 60_000);
  assert.ok(published, `no diagnostics were published for ${entry.name}: ${server.stderr()}`);
  const errors = published.diagnostics.filter((d) => d.severity === 1);
  return errors.length > 0 ? errors.map((d) => d.message).join('; ') : undefined;
}

describe('schema fidelity: our validation agrees with the API server (corpus)', { timeout: 900_000 }, () => {
  before(async () => {
    cluster = await startCluster({ seed: false });
    const kc = loadKubeconfig([cluster.kubeconfigPath]).kubeConfigFor('kwb-admin');
    client = new ClusterClient('kwb-admin', kc, ADMIT_EVERYTHING);
    await client.request('/api/v1/namespaces', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: CORPUS_NAMESPACE } }),
      contentType: 'application/json',
    });
    schemas = new ClusterSchemas(
      { context: 'kwb-admin', server: client.serverUrl, getJson: (path) => client.getJson<unknown>(path) },
      undefined,
    );
    server = await startLspServer({ KWB_WORKSPACE_TRUSTED: '1' }, (c) => {
      c.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
        p.items.map((i) => (i.section === 'yaml' ? yamlServerSettings() : null)),
      );
      c.onRequest('custom/schema/request', async (resource: string) => {
        const text = texts.get(resource);
        if (text === undefined) return undefined;
        const info = new IncrementalAnalyzer().analyze(text);
        return (await schemaSequenceFor(info, docs, { cluster: schemas })).uri;
      });
      c.onRequest('custom/schema/content', (uri: string) => docs.content(uri));
    });
  });

  after(async () => {
    await server?.stop();
    client?.dispose();
    await cluster?.stop();
  });

  it('has no false positive on built-in kinds, and reports its confusion matrix', async () => {
    const entries = corpus();
    const rows: { entry: CorpusEntry; ours?: string; theirs?: string }[] = [];
    for (const [i, entry] of entries.entries()) {
      const [ours, theirs] = await Promise.all([ourVerdict(entry, i), serverVerdict(entry)]);
      rows.push({ entry, ours, theirs });
    }
    const count = (f: (r: (typeof rows)[number]) => boolean): number => rows.filter(f).length;
    const matrix = {
      'both accept': count((r) => !r.ours && !r.theirs),
      'both refuse': count((r) => !!r.ours && !!r.theirs),
      'false positive (we refuse, server accepts)': count((r) => !!r.ours && !r.theirs),
      'false negative (we accept, server refuses)': count((r) => !r.ours && !!r.theirs),
    };
    console.log(`corpus: ${entries.length} manifests`);
    console.table(matrix);
    const byIntent = new Map<string, { agree: number; falsePositive: number; falseNegative: number }>();
    for (const r of rows) {
      const key = r.entry.intent;
      const c = byIntent.get(key) ?? { agree: 0, falsePositive: 0, falseNegative: 0 };
      if (!!r.ours === !!r.theirs) c.agree++;
      else if (r.ours) c.falsePositive++;
      else c.falseNegative++;
      byIntent.set(key, c);
    }
    console.table(Object.fromEntries(byIntent));
    for (const r of rows.filter((x) => !x.ours && x.theirs))
      console.log(`false negative ${r.entry.name}: server says ${r.theirs?.slice(0, 200)}`);
    const falsePositives = rows.filter((r) => r.ours && !r.theirs);
    assert.deepEqual(
      falsePositives.map((r) => `${r.entry.name}: ${r.ours}`),
      [],
      'our validation reports errors the API server does not',
    );
    // Every valid manifest is valid for both; every broken one is caught by at least the server.
    assert.equal(
      count((r) => r.entry.intent === 'valid' && !!r.theirs),
      0,
      'the corpus holds an invalid "valid" entry',
    );
    assert.equal(
      count((r) => r.entry.intent !== 'valid' && !r.theirs),
      0,
      'the corpus holds a "broken" entry the server accepts',
    );
  });
});
