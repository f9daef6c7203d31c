// No input hangs or crashes the extension host: YAML nested thousands of levels deep, and texts made to make a
// regex backtrack, at sizes where quadratic work would take minutes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NESTING_LIMIT, nestedDeeperThan, nestingEstimate } from '../../../src/core/common/yamlNesting';
import {
  analyzeText,
  IncrementalAnalyzer,
  isHelmTemplate,
  kustomizationPatches,
  mightBeManifest,
} from '../../../src/core/yaml/manifestDetection';
import { splitManifests } from '../../../src/core/apply/manifestFiles';
import { ManifestError, parseEditedText } from '../../../src/core/resources/editableObject';
import { loadKubeconfig } from '../../../src/core/kube/kubeconfig';

const HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n';
const deepBlock = (levels: number): string =>
  HEAD + Array.from({ length: levels }, (_, i) => `${' '.repeat(i + 2)}a:`).join('\n') + ' 1\n';
const deepFlow = (levels: number): string => `${HEAD.slice(0, -6)}data: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
const deepSequence = (levels: number): string => `${HEAD}  x:\n${'  '}${'- '.repeat(levels)}1\n`;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
}

/** Milliseconds `fn` takes. */
function timed(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

describe('nesting estimate', () => {
  it('is small for every real manifest of the fixtures, and ignores block scalars, quotes and comments', () => {
    for (const file of yamlFiles('test/fixtures')) {
      const depth = nestingEstimate(readFileSync(file, 'utf8'));
      assert.ok(depth < 25, `${file}: ${depth}`);
    }
    const script = `${HEAD}  run.sh: |\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 4)}echo ${i}`).join('\n')}\n`;
    assert.ok(nestingEstimate(script) <= 3, String(nestingEstimate(script)));
    assert.equal(nestingEstimate(`a: "[[[[[[["\nb: '{{{{{'\nc: 1 # [[[[[[[[\n`), 1);
  });

  it('finds where a document gets too deep, block, flow or sequence, and stops reading there', () => {
    for (const text of [deepBlock(1000), deepFlow(100_000), deepSequence(1000)]) {
      const at = nestedDeeperThan(text, NESTING_LIMIT);
      assert.ok(at !== undefined && at > 0 && at < text.length, String(at));
    }
    assert.equal(nestedDeeperThan(deepBlock(50), NESTING_LIMIT), undefined);
  });
});

describe('deep YAML in the extension host', () => {
  it('the manifest analysis marks it too complex instead of overflowing the stack, and keeps its kind', () => {
    for (const text of [deepBlock(1000), deepFlow(100_000), deepSequence(2000)]) {
      for (const info of [analyzeText(text), new IncrementalAnalyzer().analyze(`${text}---\n${HEAD}  a: b\n`)]) {
        assert.match(info.documents[0]?.tooComplex ?? '', /nested more than 100 levels deep/);
        assert.deepEqual(info.documents[0]?.gvk, { apiVersion: 'v1', kind: 'ConfigMap' });
      }
    }
  });

  it('apply, save and the kubeconfig refuse it with a message, not a stack overflow', () => {
    const docs = splitManifests(deepFlow(100_000), 'deep.yaml');
    assert.equal(docs.length, 1);
    assert.match(docs[0]!.error!.message, /nested more than 100 levels deep around line 5: nothing in it is read/);
    assert.throws(
      () =>
        parseEditedText(deepBlock(2000), 'edit', {
          ref: { context: 'c', group: '', version: 'v1', plural: 'configmaps', namespace: 'n', name: 'deep' },
          kind: 'ConfigMap',
        }),
      (err: Error) => err instanceof ManifestError && /nested more than 100 levels deep \(line \d+\)/.test(err.message),
    );
    const merged = loadKubeconfig(['/deep/config'], () => `clusters: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    assert.match(
      merged.warnings.join('\n'),
      /\/deep\/config is not a valid kubeconfig: it is nested more than 100 levels deep/,
    );
  });
});

describe('checks before the size cap are linear', () => {
  // At 80 KB the old regexes took seconds; at 1 MB quadratic work takes many minutes. A second is generous for
  // linear work on a loaded machine and far below what backtracking would need.
  const MB = 1_000_000;
  it('manifest detection on a megabyte of blank lines', () => {
    assert.ok(timed(() => mightBeManifest('\n'.repeat(MB) + 'x')) < 1000);
    assert.ok(timed(() => mightBeManifest(`${' \n'.repeat(MB / 2)}kind: x`)) < 1000);
  });
  it('Helm detection on half a million unclosed "{{"', () => {
    assert.equal(isHelmTemplate('{{'.repeat(MB / 2)), false);
    assert.ok(timed(() => isHelmTemplate('{{'.repeat(MB / 2))) < 1000);
    assert.equal(isHelmTemplate('a: {{ .Values.x }}'), true);
  });
  it('kustomization patches on a megabyte of blanks and repeated names', () => {
    assert.ok(timed(() => kustomizationPatches(`patches:\n${' '.repeat(MB)}`, 'x.yaml')) < 1000);
    assert.ok(timed(() => kustomizationPatches(`patches:\n${'- x.yaml  \n'.repeat(MB / 10)}`, 'y.yaml')) < 1000);
    assert.equal(kustomizationPatches('patches:\n  - path: patch.yaml\n', 'patch.yaml'), true);
  });
  it('the nesting scan itself on a megabyte of brackets', () => {
    assert.ok(timed(() => nestingEstimate('['.repeat(MB))) < 1000);
  });
});
