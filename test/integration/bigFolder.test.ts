// @big: runs only against the big-cluster bench's cluster (50,000 pods in namespace scale), started by bench/big.ts
// and passed with `node scripts/integration-tests.mjs --big <kubeconfig>`; building 50,000 pods takes too long for
// every `npm test` (see the README's Tests section). It opens the folder in code-server and pages through it.
import * as assert from 'node:assert/strict';
import type { Node } from '../../src/ext/views/nodes';
import { api, eventually } from './helpers';
import { childrenOf, walk } from './tree';

const PODS = 50_000;

function rowNames(kids: readonly Node[]): string[] {
  return kids.flatMap((k) => (k.type === 'resource' ? [k.row.name] : []));
}

function moreRow(kids: readonly Node[]): Node | undefined {
  return kids.find((k) => k.type === 'message' && k.severity === 'more');
}

describe('A folder of 50,000 pods (@big)', function () {
  this.timeout(15 * 60_000);
  before(function () {
    if (process.env.KWB_BIG !== '1')
      throw new Error('the @big suite needs the 50,000-pod cluster: run it with integration-tests --big <kubeconfig>');
  });

  it('lists every pod and pages through all of them with Show more, each once and in order', async () => {
    const { tree, sessions } = await api();
    const pods = await walk('kwb-admin', 'scale', 'Workloads', 'Pods');
    assert.equal(pods.type, 'folder');
    if (pods.type !== 'folder') return;
    await eventually(
      'all 50,000 pods listed',
      async () => {
        await childrenOf(pods);
        const snap = sessions.get('kwb-admin').peek(pods.key);
        return snap?.state === 'ready' && snap.items.length === PODS ? true : undefined;
      },
      10 * 60_000,
    );
    let kids = await childrenOf(pods);
    const pageSize = rowNames(kids).length;
    assert.ok(pageSize > 0 && pageSize < PODS, `a first page, not ${pageSize} rows`);
    assert.match(
      (moreRow(kids) as { text?: string } | undefined)?.text ?? '',
      new RegExp(`Show more \\(${PODS - pageSize} not shown\\)`),
    );
    let pages = 1;
    while (moreRow(kids)) {
      const before = rowNames(kids).length;
      tree.showMore(pods.id);
      kids = await childrenOf(pods);
      assert.equal(rowNames(kids).length, Math.min(PODS, before + pageSize), `page ${pages + 1}`);
      for (const kid of kids.slice(before)) tree.getTreeItem(kid);
      pages++;
    }
    const names = rowNames(kids);
    assert.equal(names.length, PODS);
    assert.equal(new Set(names).size, PODS, 'no pod shown twice');
    assert.deepEqual(names, [...names].sort(), 'rows in name order');
    assert.equal(names[0], 'pod-00000');
    assert.equal(names[PODS - 1], `pod-${String(PODS - 1).padStart(5, '0')}`);
    assert.equal(pages, Math.ceil(PODS / pageSize));
  });

  it('filters the 50,000 rows by name and by label selector', async () => {
    const { tree } = await api();
    const pods = await walk('kwb-admin', 'scale', 'Workloads', 'Pods');
    const countAll = async (): Promise<number> => {
      let kids = await childrenOf(pods);
      while (moreRow(kids)) {
        tree.showMore(pods.id);
        kids = await childrenOf(pods);
      }
      return rowNames(kids).length;
    };
    try {
      // pod-00049, pod-00149, … pod-49949 and pod-49900 … pod-49999: names containing "49" counted directly.
      const expectedByName = Array.from({ length: PODS }, (_, i) => `pod-${String(i).padStart(5, '0')}`).filter((n) =>
        n.includes('49'),
      ).length;
      tree.setFilter(pods, '49');
      assert.equal(await countAll(), expectedByName);
      // The seed labels pod i with group=g<i % 50>: 1,000 pods in g07.
      tree.setFilter(pods, 'group=g07');
      assert.equal(await countAll(), PODS / 50);
      tree.setFilter(pods, 'group in (g01,g02),app=scale');
      assert.equal(await countAll(), (2 * PODS) / 50);
      tree.setFilter(pods, 'group=(');
      const kids = await childrenOf(pods);
      assert.equal(rowNames(kids).length, 0);
      assert.ok(
        kids.some((k) => k.type === 'message' && k.severity === 'error'),
        'an invalid selector is said',
      );
    } finally {
      tree.setFilter(pods, undefined);
    }
  });
});
