import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alignTemplate, locateRenderedLine, renderedSources, templateArgs } from '../../../src/core/helm/chartTemplate';
import { HelmCliError } from '../../../src/core/helm/helmCli';

const DEPLOYMENT_TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels:
    {{- include "demo.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          imagePullPolicyy: IfNotPresent
`;

// What `helm template rel ./demo` prints for the chart above and a ConfigMap.
const RENDERED = `---
# Source: demo/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: rel-config
---
# Source: demo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-web
  labels:
    app: demo
    release: rel
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullPolicyy: IfNotPresent
`;

describe('helm template for charts in the workspace', () => {
  it('builds the argument array with checked values, one per argument', () => {
    assert.deepEqual(templateArgs({ release: 'web', chartDir: '/w/chart', namespace: 'apps' }), [
      'template',
      'web',
      '/w/chart',
      '--namespace=apps',
    ]);
    assert.deepEqual(
      templateArgs({ release: 'web', chartDir: '/w/my chart', namespace: 'apps', valuesFile: '/w/v $(x).yaml' }),
      ['template', 'web', '/w/my chart', '--namespace=apps', '--values=/w/v $(x).yaml'],
    );
  });

  it('refuses names and paths that could be read as flags or are not names, before running anything', () => {
    for (const bad of [
      { release: '--debug', chartDir: '/c', namespace: 'a' },
      { release: 'web', chartDir: '-c', namespace: 'a' },
      { release: 'web', chartDir: '/c', namespace: '--all' },
      { release: 'web', chartDir: '/c', namespace: 'a', valuesFile: 'relative.yaml' },
      { release: 'web', chartDir: '/c\n--x', namespace: 'a' },
    ]) {
      assert.throws(() => templateArgs(bad), HelmCliError, JSON.stringify(bad));
    }
  });

  it('reads the # Source comments: each rendered document and its template file', () => {
    const sources = renderedSources(RENDERED);
    assert.deepEqual(
      sources.map((s) => [s.source, s.file, s.commentLine, s.firstLine, s.lastLine]),
      [
        ['demo/templates/configmap.yaml', 'templates/configmap.yaml', 1, 2, 5],
        ['demo/templates/deployment.yaml', 'templates/deployment.yaml', 7, 8, 23],
      ],
    );
  });

  it('lines rendered lines up with the template: literal lines exactly, template lines by their text before {{', () => {
    const rendered = RENDERED.split('\n').slice(8, 23);
    const aligned = alignTemplate(rendered, DEPLOYMENT_TEMPLATE.split('\n'));
    // rendered "  name: rel-web" -> template line 3 ("  name: {{ .Release.Name }}-web"), matched by its prefix
    assert.deepEqual(aligned[3], { line: 3, confidence: 'line' });
    // the include's output has no template line of its own
    assert.equal(aligned[5], undefined);
    assert.equal(aligned[6], undefined);
    assert.deepEqual(aligned[14], { line: 13, confidence: 'exact' });
  });

  it('maps a problem line of the output to the template file and line, saying how sure it is', () => {
    const read = (file: string): string | undefined =>
      file === 'templates/deployment.yaml' ? DEPLOYMENT_TEMPLATE : undefined;
    const lines = RENDERED.split('\n');
    const wrongField = lines.indexOf('          imagePullPolicyy: IfNotPresent');
    assert.deepEqual(locateRenderedLine(RENDERED, wrongField, read), {
      file: 'templates/deployment.yaml',
      line: 13,
      confidence: 'exact',
      renderedLine: wrongField + 1,
    });
    const replicas = lines.indexOf('  replicas: 2');
    assert.equal(locateRenderedLine(RENDERED, replicas, read)?.line, 7);
    // A line the include wrote: the nearest line above that is known, and said to be near.
    const fromInclude = lines.indexOf('    release: rel');
    assert.deepEqual(locateRenderedLine(RENDERED, fromInclude, read), {
      file: 'templates/deployment.yaml',
      line: 4,
      confidence: 'near',
      renderedLine: fromInclude + 1,
    });
    // A template that cannot be read: only the file is known.
    assert.equal(locateRenderedLine(RENDERED, 4, read)?.confidence, 'file');
    assert.equal(locateRenderedLine(RENDERED, 4, read)?.file, 'templates/configmap.yaml');
  });
});
