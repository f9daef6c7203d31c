// Runs inside the extension host of a real VS Code (code-server) as the bench's extensionTestsPath, in place of a
// test suite: the same process as the extension, so process.memoryUsage().rss is the extension host's RSS. It shows
// the Kube Workbench view (which activates the extension) and reads the RSS (`initial`); opens the context and the
// Pods folder of a namespace without pods (the connection, discovery and client-node's code: the empty cache) and
// reads it again once settled (`before`); then expands the big namespace's Pods folder through the extension's own
// tree provider (the calls VS Code makes: getChildren, then getTreeItem for each child handed back) until every pod
// is a row of the cache, waits, and reads it a third time (`after`). No forced garbage collection: the figure is the
// RSS a user would see. With $KWB_BENCH_PAGING it then pages through the whole folder with "Show more", filters it,
// and answers the tree's refreshes while a churn runs (see paging()). bench/hostMemory.ts bundles it with esbuild
// and reads $KWB_BENCH_HOST_MEMORY_OUT.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as vscode from 'vscode';
import type { KubeWorkbenchApi } from '../src/extension';
import type { FolderNode, Node } from '../src/ext/views/nodes';
import { label } from '../test/integration/treeLabel';
import { controlPlaneProcesses, lowerPriority, mainThreadTimes } from './priority';

/** Timings of one kind of getChildren call: wall time, and the part of it the extension host's main thread spent
 * waiting in a run queue for a core (from /proc's schedstat; empty where that is missing). */
export interface CallTimes {
  wallMs: number[];
  waitingMs: number[];
  /** The floor: right after each call, JSON.parse of the same fixed document (a few ms of CPU, like a call),
   * timed the same way. Its tail is what the machine adds to any short piece of work at that moment. */
  floorMs: number[];
}

/** One pass of "Show more" through the whole folder and 100 filterings, with the control plane and the churn at
 * a given nice value. */
export interface PagingRound {
  /** The nice value of the control plane's processes and the churn during the round (0: as started). */
  backgroundNice: number;
  /** How many of their threads, and of their sessions' scheduling groups, were given that value; the groups left
   * alone because other processes share them. */
  backgroundThreads: number;
  backgroundGroups: number;
  sharedGroups: string[];
  /** getChildren of the folder after each "Show more", until every row was shown. */
  pages: CallTimes;
  /** getChildren of the folder with a name filter / a label selector set. */
  filterName: CallTimes;
  filterLabel: CallTimes;
  /** Rows the name filter and the label selector let through. */
  filterNameRows: number;
  filterLabelRows: number;
  /** Resource rows shown once "Show more" was used up, and how many distinct names. */
  shownRows: number;
  distinctShown: number;
  /** Pods whose row the watch replaced during the round (the churn's changes that reached the cache), per second
   * of the round: the churn's rate while the round ran, lowered or not. */
  changedPerSecond: number;
}

export interface PagingResult {
  /** First at the processes' own priority, then with the control plane and the churn at nice 10. */
  rounds: PagingRound[];
  /** getChildren of the folder when the tree announced a change of it (the watch churn), as VS Code asks (ms). */
  refreshMs: number[];
  /** RSS every 10 s from the start of the churn (ms since its start, bytes). */
  rssSamples: { at: number; rss: number }[];
  /** Garbage collections during the paging phase: their pauses (ms), and the slow getChildren calls (> 50 ms) that
   * had a collection inside them. */
  gcPausesMs: number[];
  slowCalls: number;
  slowCallsWithGc: number;
  /** For each slow call, the part of its wall time the main thread waited for a core (ms). */
  slowCallsWaitingMs: number[];
  slowCallsWallMs: number[];
  /** After a full garbage collection forced by the probe (diagnosis of retention, not what a user sees): once the
   * churn has passed over every pod ($KWB_BENCH_CHURN_BASELINE_MS after its start) and at its end. */
  collectedAtMinute?: NodeJS.MemoryUsage;
  collectedAtEnd?: NodeJS.MemoryUsage;
  /** What the churn process reported. */
  churn: { sent: number; failed: number; seconds: number } | undefined;
}

export interface HostMemoryProbeResult {
  /** process.memoryUsage() with the view shown and the extension active, nothing expanded. */
  initial: NodeJS.MemoryUsage;
  /** ... once the context and an empty Pods folder were open and `settleMs` passed: the empty cache. */
  before: NodeJS.MemoryUsage;
  /** ... and `settleMs` after the last pod of the big folder was listed. */
  after: NodeJS.MemoryUsage;
  /** The highest RSS seen while listing (sampled every 100 ms). */
  peakRss: number;
  /** Rows in the folder's list when it became ready. */
  rows: number;
  /** From the first expansion of the big folder to every row listed. */
  listMs: number;
  settleMs: number;
  /** Growth of each V8 heap space's committed size (bytes), from before to after. */
  spaces: Record<string, number>;
  /** With $KWB_BENCH_HOST_MEMORY_SNAPSHOT: the memory after writing a heap snapshot there (garbage collected). */
  afterSnapshot?: NodeJS.MemoryUsage;
  paging?: PagingResult;
}
const EXTENSION_ID = 'kube-workbench.kube-workbench';
const VIEW_CONTAINER_COMMAND = 'workbench.view.extension.kubeWorkbench';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The memory after a full garbage collection: the extension host runs without --expose-gc, so the probe turns the
 * flag on and takes gc() from a fresh context. Only for telling what is retained from what is not yet collected.
 */
function collected(): NodeJS.MemoryUsage {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
  gc?.();
  return process.memoryUsage();
}

/** The V8 heap's spaces and their committed sizes (new space, old space, large objects, …). */
function spaces(): Record<string, number> {
  return Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]));
}

type Api = KubeWorkbenchApi;

export async function run(): Promise<void> {
  const out = process.env.KWB_BENCH_HOST_MEMORY_OUT;
  const context = process.env.KWB_BENCH_HOST_MEMORY_CONTEXT ?? 'kwb-admin';
  const namespace = process.env.KWB_BENCH_HOST_MEMORY_NAMESPACE ?? 'scale';
  const emptyNamespace = process.env.KWB_BENCH_HOST_MEMORY_EMPTY_NAMESPACE ?? 'default';
  const expected = Number(process.env.KWB_BENCH_HOST_MEMORY_PODS ?? 10_000);
  const settleMs = Number(process.env.KWB_BENCH_HOST_MEMORY_SETTLE_MS ?? 10_000);
  if (!out) throw new Error('KWB_BENCH_HOST_MEMORY_OUT is not set');
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
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
  const podsFolder = async (ns: string): Promise<FolderNode> => {
    const ctx = await step(undefined, context);
    const scope = await step(ctx, ns);
    const workloads = await step(scope, 'Workloads');
    const pods = await step(workloads, 'Pods');
    if (pods.type !== 'folder') throw new Error(`"Pods" of ${ns} is not a folder`);
    return pods;
  };
  const listAll = async (pods: FolderNode, count: number): Promise<number> => {
    const until = Date.now() + 600_000;
    for (;;) {
      // VS Code asks again each time the folder's list changes (the tree's 250 ms throttle).
      children(pods);
      const snap = sessions.get(context).peek(pods.key);
      if (snap?.state === 'ready' && snap.items.length >= count) return snap.items.length;
      if (snap?.state === 'failed') throw new Error(`listing the pods failed: ${snap.error?.message}`);
      if (Date.now() > until) throw new Error(`only ${snap?.items.length ?? 0} of ${count} pods in 600 s`);
      await sleep(250);
    }
  };

  // Let activation's own allocations settle before the first figure.
  await sleep(3000);
  const initial = process.memoryUsage();
  await listAll(await podsFolder(emptyNamespace), 0);
  await sleep(settleMs);
  const before = process.memoryUsage();
  const spacesBefore = spaces();
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const started = Date.now();
  let rows = 0;
  let pods: FolderNode;
  try {
    pods = await podsFolder(namespace);
    rows = await listAll(pods, expected);
  } finally {
    clearInterval(sampler);
  }
  const listMs = Date.now() - started;
  await sleep(settleMs);
  const after = process.memoryUsage();
  const spacesAfter = spaces();
  const result: HostMemoryProbeResult = {
    initial,
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
  if (process.env.KWB_BENCH_PAGING === '1')
    result.paging = await paging(ext.exports, pods, children, () => sessions.get(context).peek(pods.key)?.items ?? []);
  // Diagnosis only, after the figure: a heap snapshot (which collects garbage first) of the extension host.
  const snapshot = process.env.KWB_BENCH_HOST_MEMORY_SNAPSHOT;
  if (snapshot) {
    const { writeHeapSnapshot } = await import('node:v8');
    writeHeapSnapshot(`${snapshot}-${process.pid}.heapsnapshot`);
    result.afterSnapshot = process.memoryUsage();
  }
  fs.writeFileSync(out, JSON.stringify(result));
}

/**
 * While a churn process changes the namespace's pods ($KWB_BENCH_CHURN: JSON {command, args, cwd}, printing its
 * own JSON summary on stdout): answers every refresh the tree announces for the folder as VS Code would (timing
 * getChildren), pages through the whole folder with "Show more" and filters it by name and by label selector twice:
 * first with every process at its own priority, then with the control plane and the churn at nice 10 (they stand
 * in for other machines: see priority.ts); and samples the RSS every 10 s until the churn ends.
 */
async function paging(
  api: Api,
  pods: FolderNode,
  children: (parent: Node | undefined) => Node[],
  /** The folder's rows in the cache now. */
  rowsNow: () => readonly object[],
): Promise<PagingResult> {
  const { tree } = api;
  const gcs: { start: number; end: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const slow: { start: number; end: number; waitingMs: number }[] = [];
  const calls = (): CallTimes => ({ wallMs: [], waitingMs: [], floorMs: [] });
  const floorDocument = JSON.stringify(
    Array.from({ length: 2000 }, (_, i) => ({
      metadata: {
        name: `pod-${i}`,
        namespace: 'scale',
        uid: `uid-${i}`,
        labels: { app: 'churn', group: `g${i % 20}` },
      },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], restartCount: i % 3 },
    })),
  );
  const timed = (into: CallTimes): Node[] => {
    const s0 = mainThreadTimes();
    const t0 = performance.now();
    const kids = tree.getChildren(pods);
    const t1 = performance.now();
    const s1 = mainThreadTimes();
    const waitingMs = s0 && s1 ? s1.waitingMs - s0.waitingMs : NaN;
    into.wallMs.push(t1 - t0);
    if (s0 && s1) into.waitingMs.push(waitingMs);
    if (t1 - t0 > 50) slow.push({ start: t0, end: t1, waitingMs });
    for (const kid of kids) tree.getTreeItem(kid);
    const f0 = performance.now();
    JSON.parse(floorDocument);
    into.floorMs.push(performance.now() - f0);
    return kids;
  };
  const spec = JSON.parse(process.env.KWB_BENCH_CHURN ?? 'null') as {
    command: string;
    args: string[];
    cwd: string;
  } | null;
  if (!spec) throw new Error('KWB_BENCH_CHURN is not set');
  const churnStarted = Date.now();
  // In a session of its own (detached), so that its scheduling group holds only it (priority.ts).
  const churnProcess = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  let churnOut = '';
  churnProcess.stdout.on('data', (d: Buffer) => (churnOut += d.toString('utf8')));
  const churnDone = new Promise<number>((r) => churnProcess.on('exit', (code) => r(code ?? 1)));
  const rssSamples: { at: number; rss: number }[] = [];
  const rssTimer = setInterval(
    () => rssSamples.push({ at: Date.now() - churnStarted, rss: process.memoryUsage().rss }),
    10_000,
  );
  const refreshMs: number[] = [];
  let busy = false;
  const listener = tree.onDidChangeTreeData((e) => {
    const nodes = e === undefined ? [pods] : Array.isArray(e) ? e : [e];
    if (busy || !nodes.some((n) => n.id === pods.id)) return;
    const into = calls();
    timed(into);
    refreshMs.push(...into.wallMs);
  });
  // The processes that stand in for other machines: the control plane and the churn (see priority.ts).
  const background = (): number[] => [...controlPlaneProcesses(), ...(churnProcess.pid ? [churnProcess.pid] : [])];
  const round = async (backgroundNice: number): Promise<PagingRound> => {
    const lowered = backgroundNice === 0 ? undefined : lowerPriority(background(), backgroundNice);
    const rowsAtStart = new Set(rowsNow());
    const startedAt = performance.now();
    try {
      // From the first page (setFilter(undefined) before each round resets the folder's pages).
      const pages = calls();
      let kids = timed(pages);
      for (;;) {
        const more = kids.find((k) => k.type === 'message' && k.severity === 'more');
        if (!more) break;
        tree.showMore(pods.id);
        kids = timed(pages);
        await sleep(50);
      }
      const shown = kids.filter((k) => k.type === 'resource');
      const distinctShown = new Set(shown.map((k) => (k.type === 'resource' ? k.row.name : ''))).size;
      const filterName = calls();
      const filterLabel = calls();
      let filterNameRows = 0;
      let filterLabelRows = 0;
      busy = true;
      for (let i = 0; i < 100; i++) {
        tree.setFilter(pods, 'pod-4');
        filterNameRows = countRows(timed(filterName));
        tree.setFilter(pods, 'group=g07');
        filterLabelRows = countRows(timed(filterLabel));
        await sleep(50);
      }
      tree.setFilter(pods, undefined);
      busy = false;
      children(pods);
      const changed = rowsNow().filter((row) => !rowsAtStart.has(row)).length;
      return {
        changedPerSecond: changed / ((performance.now() - startedAt) / 1000),
        backgroundNice,
        backgroundThreads: lowered?.threads ?? 0,
        backgroundGroups: lowered?.groups ?? 0,
        sharedGroups: lowered?.sharedGroups ?? [],
        pages,
        filterName,
        filterLabel,
        filterNameRows,
        filterLabelRows,
        shownRows: shown.length,
        distinctShown,
      };
    } finally {
      lowered?.restore();
    }
  };
  try {
    // Let the churn get going before paging.
    await sleep(5000);
    const rounds = [await round(0)];
    await sleep(2000);
    rounds.push(await round(10));
    // The baseline once the churn has passed over every pod (each carries its churn label from then on).
    const baselineMs = Number(process.env.KWB_BENCH_CHURN_BASELINE_MS ?? 60_000);
    const untilBaseline = baselineMs - (Date.now() - churnStarted);
    if (untilBaseline > 0) await sleep(untilBaseline);
    const collectedAtMinute = collected();
    const code = await churnDone;
    // The last refreshes of the churn's changes, then the retained memory.
    await sleep(1000);
    const collectedAtEnd = collected();
    if (code !== 0) throw new Error(`the churn process exited with ${code}`);
    // The observer delivers entries asynchronously: let the last ones arrive.
    await sleep(200);
    return {
      rounds,
      refreshMs,
      collectedAtMinute,
      collectedAtEnd,
      gcPausesMs: gcs.map((g) => g.end - g.start),
      slowCalls: slow.length,
      slowCallsWaitingMs: slow.map((c) => c.waitingMs),
      slowCallsWallMs: slow.map((c) => c.end - c.start),
      slowCallsWithGc: slow.filter((c) => gcs.some((g) => g.start < c.end && g.end > c.start)).length,
      rssSamples,
      churn: JSON.parse(churnOut.trim().split('\n').pop() ?? 'null') as PagingResult['churn'],
    };
  } finally {
    listener.dispose();
    gcObserver.disconnect();
    clearInterval(rssTimer);
    if (churnProcess.exitCode === null) churnProcess.kill();
  }
}

/** Resource rows among a folder's children (not "Show more" or other messages). */
function countRows(kids: readonly Node[]): number {
  return kids.filter((k) => k.type === 'resource').length;
}
