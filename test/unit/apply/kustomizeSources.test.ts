import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indexKustomization, locateBuilt } from '../../../src/core/apply/kustomizeSources';
import { fieldPathAtLine } from '../../../src/core/apply/manifestFiles';

const FILES: Record<string, string> = {
  '/k/overlay/kustomization.yaml':
    'namePrefix: prod-\nnamespace: team-b\nresources:\n  - ../base\n  - extra.yaml\n  - https://github.com/x/y//z?ref=v1\nconfigMapGenerator:\n  - name: settings\n    literals: [A=1]\n',
  '/k/overlay/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  A: "1"\n',
  '/k/base/kustomization.yaml': 'nameSuffix: -v1\nresources: [deploy.yaml]\n',
  '/k/base/deploy.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          imagePullPolicyy: Always\n',
};
const files = {
  read: (p: string): string | undefined => FILES[p],
  isDirectory: (p: string): boolean => Object.keys(FILES).some((f) => f.startsWith(`${p}/`)),
};

// kustomize build orders keys alphabetically: the field is on another line than in the source.
const BUILT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: prod-web-v1
  namespace: team-b
spec:
  template:
    spec:
      containers:
      - image: nginx
        imagePullPolicyy: Always
        name: web
`;

describe('kustomize build output mapped back to source files', () => {
  it('finds the field path of a line', () => {
    assert.equal(fieldPathAtLine(BUILT, 11), 'spec.template.spec.containers[0].imagePullPolicyy');
    assert.equal(fieldPathAtLine(BUILT, 4), 'metadata.name');
    assert.equal(fieldPathAtLine(BUILT, 100), undefined);
  });

  it('indexes resources through local bases with their prefixes and suffixes; remote bases are unresolved', () => {
    const index = indexKustomization('/k/overlay', files);
    assert.deepEqual(
      index.objects.map((o) => `${o.kind} ${o.prefix}${o.name}${o.suffix} ${o.file}:${o.line}`),
      [
        'Service prod-web-v1 /k/base/deploy.yaml:1',
        'Deployment prod-web-v1 /k/base/deploy.yaml:6',
        'ConfigMap prod-extra /k/overlay/extra.yaml:1',
        'ConfigMap prod-settings /k/overlay/kustomization.yaml:8',
      ],
    );
    assert.deepEqual(index.unresolved, [
      { file: '/k/overlay/kustomization.yaml', line: 6, entry: 'https://github.com/x/y//z?ref=v1' },
    ]);
  });

  it('maps a problem in a built object to its source file and the line of the same field', () => {
    const index = indexKustomization('/k/overlay', files);
    assert.deepEqual(locateBuilt(index, { kind: 'Deployment', name: 'prod-web-v1', text: BUILT, builtLine: 11 }), {
      file: '/k/base/deploy.yaml',
      line: 16,
      found: 'object',
    });
    // Renamed by something else (a transformer): kind and the written name still find it.
    assert.equal(
      locateBuilt(index, { kind: 'Deployment', name: 'other-web-x', text: BUILT, builtLine: 11 }).file,
      '/k/base/deploy.yaml',
    );
    // A generated ConfigMap (hash suffix): its generator entry.
    assert.deepEqual(
      locateBuilt(index, { kind: 'ConfigMap', name: 'prod-settings-7t8hhk5g2b', text: BUILT, builtLine: 1 }),
      { file: '/k/overlay/kustomization.yaml', line: 8, found: 'generator' },
    );
    // Nothing matches: the kustomization, at the remote base it could not read.
    assert.deepEqual(locateBuilt(index, { kind: 'Ingress', name: 'prod-gone', text: BUILT, builtLine: 1 }), {
      file: '/k/overlay/kustomization.yaml',
      line: 6,
      found: 'kustomization',
    });
  });
});
