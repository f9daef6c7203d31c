// The watching side of the watch benchmark, in a fresh process (`--expose-gc`): the extension host's work for a busy
// cluster and nothing else, so its CPU and heap figures are the extension's own.
//
//   node --expose-gc --import tsx bench/watchConsumer.ts <kubeconfig> [--replay]
//
// It lists and watches every pod (the tree's "All namespaces" Pods folder) through the product's WatchedList and
// refreshes like the tree does: a 250 ms throttle, then the sorted snapshot and its first page of items. Protocol on
// stdio: prints `{"ready":true,"rows":N}` once listed; on the line `start` it begins measuring; on `stop` it prints
// the results as one JSON line and exits.
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { WatchedList } from '../src/core/watch/watchedList';
import { type Transport } from '../src/core/kube/transport';
import { toRow, type ResourceRow } from '../src/core/resources/rows';
import { silentLogger } from '../src/core/common/logger';

const THROTTLE_MS = 250; // the tree's (src/ext/views/clusterTree.ts)
const PAGE = 500; // the default kubeWorkbench.pageSize
const HEAP_EVERY_MS = 10_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const kubeconfig = process.argv[2] ?? '';
const transport = new ClusterClient(
  'kwb-admin',
  loadKubeconfig([kubeconfig]).kubeConfigFor('kwb-admin'),
  ADMIT_EVERYTHING,
);

let measuring = false;
/** Arrival times of the watch chunks not yet shown by a refresh. */
let unshown: number[] = [];
const latencies: number[] = [];
let events = 0;
let refreshes = 0;
let shownText = 0;
let lastEventMs = 0;

// `--replay`: the watch is opened only on the line `release`, from the list's resourceVersion, so the API server
// replays every change made in between from its watch cache as fast as it can send them: the rate this process can
// follow, rather than the rate the local API server can accept writes (a few hundred per second on this machine).
const replay = process.argv.includes('--replay');
let release: () => void = () => undefined;
const released = new Promise<void>((resolve) => (release = resolve));

const timed: Transport = {
  getJson: (path, options, what) => transport.getJson(path, options, what),
  getList: (path, options, onItem, what) => transport.getList(path, options, onItem, what),
  stream: async (path, options, onChunk, what) => {
    if (replay) await released;
    return transport.stream(
      path,
      options,
      (chunk) => {
        const arrived = performance.now();
        onChunk(chunk);
        if (!measuring) return;
        let lines = 0;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        events += lines;
        lastEventMs = arrived - t0;
        unshown.push(arrived);
      },
      what,
    );
  },
};

const list = new WatchedList<ResourceRow>(timed, '/api/v1/pods', (o) => toRow('Pod', o), 'pods', {
  log: silentLogger,
  pageSize: 500,
});

let timer: NodeJS.Timeout | undefined;
function refresh(): void {
  timer = undefined;
  refreshes++;
  // What getChildren does for the folder: the sorted snapshot, its first page, a label and description per item.
  const items = list.snapshot().items;
  for (const row of items.slice(0, PAGE)) shownText += row.name.length + row.status.length;
  const done = performance.now();
  for (const arrived of unshown) latencies.push(done - arrived);
  unshown = [];
}
list.onDidChange(() => {
  timer ??= setTimeout(refresh, THROTTLE_MS);
});

const heap: { atMs: number; bytes: number }[] = [];
let heapTimer: NodeJS.Timeout | undefined;
let cpu0 = process.cpuUsage();
let t0 = 0;

function sampleHeap(): void {
  gc!();
  heap.push({ atMs: performance.now() - t0, bytes: process.memoryUsage().heapUsed });
}

list.start();
const ready = setInterval(() => {
  if (list.snapshot().state !== 'ready') return;
  clearInterval(ready);
  process.stdout.write(`${JSON.stringify({ ready: true, rows: list.size })}\n`);
}, 50);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'release') {
    release();
  } else if (line === 'start') {
    sampleHeap();
    latencies.length = 0;
    events = 0;
    refreshes = 0;
    unshown = [];
    measuring = true;
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    heap.length = 0;
    sampleHeap();
    heapTimer = setInterval(sampleHeap, HEAP_EVERY_MS);
  } else if (line === 'stop') {
    measuring = false;
    clearInterval(heapTimer);
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    sampleHeap();
    process.stdout.write(
      `${JSON.stringify({
        events,
        refreshes,
        elapsedMs,
        lastEventMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        latencies,
        heap,
        rows: list.size,
        lists: list.stats.lists,
        shownText,
      })}\n`,
    );
    list.dispose();
    transport.dispose();
    // Exit once the (long) line is flushed: process.exit() right after write() truncates output to a pipe.
    process.stdout.write('', () => process.exit(0));
  }
});
