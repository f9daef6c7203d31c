// Runs inside the extension host of a real VS Code (code-server) as the bench's extensionTestsPath, in place of a
// test suite: the same process as the extension, so process.memoryUsage().rss is the extension host's RSS. It shows
// the Kube Workbench view (which activates the extension), reads the RSS, then expands context → namespace →
// Workloads → Pods through the extension's own tree provider (the calls VS Code makes: getChildren, then
// getTreeItem for each child handed back) until every pod is a row of the cache, waits, and reads the RSS again.
// No forced garbage collection: the figure is the RSS a user would see. bench/hostMemory.ts bundles it with
// esbuild and reads $KWB_BENCH_HOST_MEMORY_OUT.
import * as fs from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import * as vscode from 'vscode';
import type { KubeWorkbenchApi } from '../src/extension';
import type { Node } from '../src/ext/views/nodes';
import { label } from '../test/integration/treeLabel';

export interface HostMemoryProbeResult {
  /** process.memoryUsage() before expanding anything (the view shown, the extension active). */
  before: NodeJS.MemoryUsage;
  /** ... and `settleMs` after the last pod was listed. */
  after: NodeJS.MemoryUsage;
  /** The highest RSS seen while listing (sampled every 100 ms). */
  peakRss: number;
  /** Rows in the folder's list when it became ready. */
  rows: number;
  /** From the first expansion to every row listed. */
  listMs: number;
  settleMs: number;
  /** Growth of each V8 heap space's committed size (bytes), from before to after. */
  spaces: Record<string, number>;
  /** With $KWB_BENCH_HOST_MEMORY_SNAPSHOT: the memory after writing a heap snapshot there (garbage collected). */
  afterSnapshot?: NodeJS.MemoryUsage;
}
const EXTENSION_ID = 'kube-workbench.kube-workbench';
const VIEW_CONTAINER_COMMAND = 'workbench.view.extension.kubeWorkbench';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The V8 heap's spaces and their committed sizes (new space, old space, large objects, …). */
function spaces(): Record<string, number> {
  return Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]));
}

export async function run(): Promise<void> {
  const out = process.env.KWB_BENCH_HOST_MEMORY_OUT;
  const context = process.env.KWB_BENCH_HOST_MEMORY_CONTEXT ?? 'kwb-admin';
  const namespace = process.env.KWB_BENCH_HOST_MEMORY_NAMESPACE ?? 'scale';
  const expected = Number(process.env.KWB_BENCH_HOST_MEMORY_PODS ?? 10_000);
  const settleMs = Number(process.env.KWB_BENCH_HOST_MEMORY_SETTLE_MS ?? 10_000);
  if (!out) throw new Error('KWB_BENCH_HOST_MEMORY_OUT is not set');
  const ext = vscode.extensions.getExtension<KubeWorkbenchApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);

  await vscode.commands.executeCommand(VIEW_CONTAINER_COMMAND);
  const deadline = Date.now() + 60_000;
  while (!(ext.isActive && ext.exports.startupTimings().contextsShownAt !== undefined)) {
    if (Date.now() > deadline) throw new Error('the Clusters view did not show its contexts within 60 s');
    await sleep(20);
  }
  const { tree, sessions } = ext.exports;
  // As VS Code does: ask for the children, then for the item of each child handed back.
  const children = (parent: Node | undefined): Node[] => {
    const kids = tree.getChildren(parent);
    for (const kid of kids) tree.getTreeItem(kid);
    return kids;
  };
  const step = async (parent: Node | undefined, name: string): Promise<Node> => {
    const until = Date.now() + 60_000;
    for (;;) {
      const found = children(parent).find((k) => label(k) === name);
      if (found) return found;
      if (Date.now() > until) throw new Error(`"${name}" did not appear within 60 s`);
      await sleep(100);
    }
  };

  // Let activation's own allocations settle before the first figure.
  await sleep(3000);
  const before = process.memoryUsage();
  const spacesBefore = spaces();
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const started = Date.now();
  let rows = 0;
  try {
    const ctx = await step(undefined, context);
    const ns = await step(ctx, namespace);
    const workloads = await step(ns, 'Workloads');
    const pods = await step(workloads, 'Pods');
    if (pods.type !== 'folder') throw new Error('"Pods" is not a folder');
    const until = Date.now() + 300_000;
    for (;;) {
      // VS Code asks again each time the folder's list changes (the tree's 250 ms throttle).
      children(pods);
      const snap = sessions.get(context).peek(pods.key);
      if (snap?.state === 'ready' && snap.items.length >= expected) {
        rows = snap.items.length;
        break;
      }
      if (snap?.state === 'failed') throw new Error(`listing the pods failed: ${snap.error?.message}`);
      if (Date.now() > until) throw new Error(`only ${snap?.items.length ?? 0} of ${expected} pods in 300 s`);
      await sleep(250);
    }
  } finally {
    clearInterval(sampler);
  }
  const listMs = Date.now() - started;
  await sleep(settleMs);
  const after = process.memoryUsage();
  const spacesAfter = spaces();
  const result: HostMemoryProbeResult = {
    before,
    after,
    spaces: Object.fromEntries(
      Object.entries(spacesAfter).map(([name, size]) => [name, size - (spacesBefore[name] ?? 0)]),
    ),
    peakRss,
    rows,
    listMs,
    settleMs,
  };
  // Diagnosis only, after the figure: a heap snapshot (which collects garbage first) of the extension host.
  const snapshot = process.env.KWB_BENCH_HOST_MEMORY_SNAPSHOT;
  if (snapshot) {
    const { writeHeapSnapshot } = await import('node:v8');
    writeHeapSnapshot(`${snapshot}-${process.pid}.heapsnapshot`);
    result.afterSnapshot = process.memoryUsage();
  }
  fs.writeFileSync(out, JSON.stringify(result));
}
