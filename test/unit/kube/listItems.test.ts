import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ListItemReader } from '../../../src/core/kube/listItems';
import { scriptedClient, scriptedServer } from '../../fakes/scriptedServer';

/** Feeds `bytes` cut at `cuts` and returns what the reader handed out and returned. */
function read(bytes: Buffer, cuts: number[] = []): { items: unknown[]; rest: unknown } {
  const items: unknown[] = [];
  const reader = new ListItemReader((item) => items.push(item));
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    reader.write(bytes.subarray(from, cut));
    from = cut;
  }
  return { items, rest: reader.end() };
}

const tricky = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '42', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDJ9' },
  items: [
    {
      metadata: { name: 'a', uid: 'u-a', labels: { quote: 'say "hi"', slash: 'C:\\dir\\', brace: '},{"items":[' } },
      spec: { items: [1, 2, [3, { items: ']' }]], empty: {}, none: [] },
    },
    { metadata: { name: 'é-ü-日本-😀', annotations: { 'x\\"y': '\\\\"', nl: 'line\nnext\ttab\u0001' } } },
    'a string item, with, commas ] and } braces',
    42,
    null,
    [],
    {},
  ],
};

describe('ListItemReader', () => {
  it('hands out each item as JSON.parse would parse it, and the rest without them, at every chunk boundary', () => {
    const bytes = Buffer.from(JSON.stringify(tricky));
    const { items: _items, ...rest } = tricky;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = read(bytes, [cut]);
      assert.deepEqual(got.items, tricky.items, `cut at ${cut}`);
      assert.deepEqual(got.rest, { ...rest, items: [] }, `cut at ${cut}`);
    }
  });

  it('reads byte by byte, pretty-printed JSON and items that are not the last key', () => {
    const reordered = { items: tricky.items, metadata: tricky.metadata, kind: 'List' };
    for (const text of [
      JSON.stringify(tricky, null, 2),
      JSON.stringify(reordered),
      JSON.stringify(reordered, null, 1),
    ]) {
      const bytes = Buffer.from(text);
      const got = read(
        bytes,
        Array.from({ length: bytes.length }, (_, i) => i),
      );
      const expected = JSON.parse(text) as { items: unknown[] };
      assert.deepEqual(got.items, expected.items);
      assert.deepEqual(got.rest, { ...expected, items: [] });
    }
  });

  it('lists without items or with none, and other keys named items deeper down', () => {
    assert.deepEqual(read(Buffer.from('{"metadata":{"items":[1]},"items":[]}')), {
      items: [],
      rest: { metadata: { items: [1] }, items: [] },
    });
    assert.deepEqual(read(Buffer.from(' { "metadata" : {} } ')), { items: [], rest: { metadata: {} } });
    assert.deepEqual(read(Buffer.from('{"items": [ ] }')), { items: [], rest: { items: [] } });
  });

  it('fails on an answer cut short and on a malformed item', () => {
    const bytes = Buffer.from(JSON.stringify(tricky));
    assert.throws(() => read(bytes.subarray(0, bytes.length - 1)), SyntaxError);
    assert.throws(() => read(bytes.subarray(0, bytes.indexOf('say'))), SyntaxError);
    assert.throws(() => read(Buffer.from('{"items":[{"a":1},{"b":}]}')), SyntaxError);
  });
});

describe('ClusterClient.getList', () => {
  it('hands out the items of an answer sent in small pieces, and fails on an answer cut short or too large', async () => {
    const bytes = Buffer.from(JSON.stringify(tricky));
    const server = await scriptedServer((_req, url, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const end = url.searchParams.get('cut') ? bytes.length - 10 : bytes.length;
      for (let at = 0; at < end; at += 7) res.write(bytes.subarray(at, Math.min(at + 7, end)));
      res.end();
    });
    try {
      const client = scriptedClient(server.url);
      const items: unknown[] = [];
      const rest = await client.getList('/api/v1/pods', {}, (item) => items.push(item), 'listing pods');
      assert.deepEqual(items, tricky.items);
      assert.deepEqual(rest, { kind: 'PodList', apiVersion: 'v1', metadata: tricky.metadata, items: [] });
      await assert.rejects(
        client.getList('/api/v1/pods', { query: { cut: 1 } }, () => undefined),
        SyntaxError,
      );
      await assert.rejects(
        client.getList('/api/v1/pods', { maxBytes: 100 }, () => undefined, 'listing pods'),
        /Listing pods failed: the answer of context "test" is larger than 0 MiB/,
      );
      await assert.rejects(
        client.getList('/api/v1/pods', {}, () => {
          throw new Error('no more');
        }),
        /no more/,
      );
    } finally {
      await server.close();
    }
  });
});
