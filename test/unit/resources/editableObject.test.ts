import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  baseVersionOf,
  decodeText,
  encodeSecret,
  ManifestError,
  MASK,
  parseEditedText,
  restoreHidden,
  toEditableText,
  maskSecretValues,
} from '../../../src/core/resources/editableObject';
import { type KubeObject } from '../../../src/core/resources/kubeObject';
import type { ObjectRef } from '../../../src/core/resources/objectRef';

const ref: ObjectRef = {
  context: 'kwb-admin',
  group: '',
  version: 'v1',
  plural: 'configmaps',
  namespace: 'demo',
  name: 'web',
};
const secretRef: ObjectRef = { ...ref, plural: 'secrets', name: 'creds' };

function configMap(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'web',
      namespace: 'demo',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      selfLink: '/x',
      managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
      labels: { app: 'web' },
    },
    data: { LOG_LEVEL: 'info', multi: 'line one\nline two\n', yes: 'yes' },
    status: { observed: true },
  };
}

const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]);
function secret(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'creds',
      namespace: 'demo',
      resourceVersion: '7',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"czNjcjN0"}}' },
    },
    type: 'Opaque',
    data: {
      password: Buffer.from('s3cr3t').toString('base64'),
      cert: Buffer.from('-----BEGIN-----\nabc\n-----END-----\n').toString('base64'),
      empty: '',
      unicode: Buffer.from('pässwörd ✓').toString('base64'),
      blob: binary.toString('base64'),
    },
  };
}

describe('editable text', () => {
  it('hides managedFields, noisy metadata and status, keeps resourceVersion', () => {
    const text = toEditableText(configMap(), { mode: 'edit' });
    const shown = parse(text) as KubeObject;
    assert.equal(shown.metadata?.managedFields, undefined);
    assert.equal(shown.metadata?.uid, undefined);
    assert.equal(shown.metadata?.generation, undefined);
    assert.equal(shown.metadata?.selfLink, undefined);
    assert.equal(shown.status, undefined);
    assert.equal(shown.metadata?.resourceVersion, '42');
    assert.equal(shown.metadata?.creationTimestamp, '2026-01-01T00:00:00Z');
    assert.deepEqual(shown.data, configMap().data);
    assert.match(text, /^apiVersion: v1\nkind: ConfigMap\nmetadata:/);
    assert.ok(!text.includes('&a'), 'no YAML anchors');
  });

  it('shows status on request', () => {
    const shown = parse(toEditableText(configMap(), { mode: 'edit', showStatus: true })) as KubeObject;
    assert.deepEqual(shown.status, { observed: true });
  });

  it('round-trips through parse unchanged apart from what it hides', () => {
    const obj = configMap();
    const back = parseEditedText(toEditableText(obj, { mode: 'edit' }), 'edit', { ref, kind: 'ConfigMap' });
    assert.deepEqual(back.data, obj.data);
    assert.equal(baseVersionOf(back), '42');
  });
});

describe('Secrets', () => {
  it('masks values (and the last-applied annotation) in the masked view', () => {
    const text = toEditableText(secret(), { mode: 'masked' });
    assert.ok(!text.includes('s3cr3t'));
    assert.ok(!text.includes(Buffer.from('s3cr3t').toString('base64')));
    assert.ok(!text.includes('czNjcjN0'));
    const shown = parse(text) as { data: Record<string, string> };
    assert.equal(shown.data.password, `${MASK} (6 bytes)`);
    assert.equal(shown.data.empty, `${MASK} (0 bytes)`);
    assert.throws(() => parseEditedText(text, 'masked', { ref: secretRef }), ManifestError);
  });

  it('decodes text values to stringData and keeps binary values in data', () => {
    const text = toEditableText(secret(), { mode: 'revealed' });
    const shown = parse(text) as { stringData: Record<string, string>; data: Record<string, string> };
    assert.deepEqual(shown.stringData, {
      password: 's3cr3t',
      cert: '-----BEGIN-----\nabc\n-----END-----\n',
      empty: '',
      unicode: 'pässwörd ✓',
    });
    assert.deepEqual(shown.data, { blob: binary.toString('base64') });
    assert.match(text, /^# Secret values are shown decoded/);
  });

  it('encodes again on save: a round trip gives back the same data, binary included', () => {
    const original = secret();
    const back = parseEditedText(toEditableText(original, { mode: 'revealed' }), 'revealed', {
      ref: secretRef,
      kind: 'Secret',
    });
    assert.deepEqual(back.data, original.data);
    assert.equal(back.stringData, undefined);
  });

  it('saves an edited value encoded', () => {
    const text = toEditableText(secret(), { mode: 'revealed' }).replace('password: s3cr3t', 'password: n3w');
    const back = parseEditedText(text, 'revealed', { ref: secretRef, kind: 'Secret' });
    assert.equal(Buffer.from((back.data as Record<string, string>).password!, 'base64').toString(), 'n3w');
  });

  it('says which stringData value is not text', () => {
    assert.throws(
      () => encodeSecret({ apiVersion: 'v1', kind: 'Secret', metadata: {}, stringData: { port: 5432 } }),
      /stringData\.port must be text/,
    );
  });

  it('decodes only canonical base64 of valid UTF-8', () => {
    assert.equal(decodeText(Buffer.from('hi').toString('base64')), 'hi');
    assert.equal(decodeText(binary.toString('base64')), undefined);
    assert.equal(decodeText('not base64!'), undefined);
  });
});

describe('parsing the edited text', () => {
  const text = toEditableText(configMap(), { mode: 'edit' });

  it('refuses a rename, a move, another kind or apiVersion', () => {
    assert.throws(
      () => parseEditedText(text.replace('name: web', 'name: web2'), 'edit', { ref }),
      /metadata\.name was changed from "web" to "web2".*cannot rename/,
    );
    assert.throws(
      () => parseEditedText(text.replace('namespace: demo', 'namespace: other'), 'edit', { ref }),
      /metadata\.namespace was changed from "demo" to "other"/,
    );
    assert.throws(
      () => parseEditedText(text.replace('kind: ConfigMap', 'kind: Secret'), 'edit', { ref, kind: 'ConfigMap' }),
      /kind was changed/,
    );
    assert.throws(
      () => parseEditedText(text.replace('apiVersion: v1', 'apiVersion: v2'), 'edit', { ref }),
      /apiVersion was changed from "v1" to "v2"/,
    );
  });

  it('accepts an omitted namespace', () => {
    const back = parseEditedText(text.replace('  namespace: demo\n', ''), 'edit', { ref });
    assert.equal(back.metadata?.name, 'web');
  });

  it('refuses several documents, a list, broken YAML and an empty document', () => {
    assert.throws(() => parseEditedText(`${text}---\n${text}`, 'edit', { ref }), /more than one YAML document/);
    assert.throws(() => parseEditedText('- a\n- b\n', 'edit', { ref }), /must be a YAML mapping/);
    assert.throws(() => parseEditedText('a: [\n', 'edit', { ref }), /The YAML is not valid/);
    assert.throws(() => parseEditedText('# nothing\n', 'edit', { ref }), /empty/);
  });

  it('needs the resourceVersion it was based on', () => {
    const back = parseEditedText(text.replace(/ {2}resourceVersion: "42"\n/, ''), 'edit', { ref });
    assert.throws(() => baseVersionOf(back), /resourceVersion was removed/);
  });

  it('puts back a hidden status, never overrides an edited one', () => {
    const edited: KubeObject = { apiVersion: 'v1', kind: 'X', metadata: {} };
    assert.deepEqual(restoreHidden(edited, configMap()).status, { observed: true });
    assert.deepEqual(restoreHidden({ ...edited, status: { mine: 1 } }, configMap()).status, { mine: 1 });
  });
});

describe('Secret masking fails closed', () => {
  const secret = (extra: Record<string, unknown>): Parameters<typeof toEditableText>[0] => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'n' },
    ...extra,
  });

  it('masks values that are not strings, and data that is not a map, in the masked view', () => {
    const text = toEditableText(
      secret({ data: { a: 'aHVudGVyMg==', b: 12345678, c: ['list-secret'] }, stringData: 'plain-secret-text' }),
      { mode: 'masked' },
    );
    for (const leaked of ['aHVudGVyMg==', '12345678', 'list-secret', 'plain-secret-text'])
      assert.doesNotMatch(text, new RegExp(leaked), leaked);
    assert.match(text, /a: •••••• \(7 bytes\)/);
  });

  it('masks every form a value can take in a message: plain, base64, decoded, JSON-escaped, each long line', () => {
    const value = 'pa"ss\nword-line-two-long';
    const obj = secret({ stringData: { p: value }, data: { d: Buffer.from('decoded-secret').toString('base64') } });
    const message = [
      `denied: ${value}`,
      `json: ${JSON.stringify(value)}`,
      `b64: ${Buffer.from(value).toString('base64')}`,
      'line: word-line-two-long',
      'decoded: decoded-secret',
    ].join(' | ');
    const masked = maskSecretValues(message, obj);
    for (const leaked of [
      'pa"ss',
      'pa\\"ss',
      'word-line-two-long',
      'decoded-secret',
      Buffer.from(value).toString('base64'),
    ])
      assert.ok(!masked.includes(leaked), `${leaked} in ${masked}`);
  });

  it('hides the whole message when a value is not text', () => {
    const masked = maskSecretValues('the value 12345678 is wrong', secret({ stringData: { p: 12345678 } }));
    assert.doesNotMatch(masked, /12345678/);
    assert.match(masked, /not shown/);
    assert.equal(maskSecretValues('about a ConfigMap', { kind: 'ConfigMap', data: { a: 1 } }), 'about a ConfigMap');
  });
});
