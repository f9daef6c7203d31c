// Runs inside the extension host of a real VS Code (code-server) as the bench's extensionTestsPath, in place of a
// test suite: records every socket connect of this process, shows the Kube Workbench view (which is what
// activates the extension: nothing else in the opened folder does), waits until the Clusters tree has handed
// its first contexts to VS Code, and writes the extension's own startup timings to $KWB_BENCH_ACTIVATION_OUT.
// bench/activation.ts bundles it with esbuild and reads the file.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { KubeWorkbenchApi } from '../src/extension';
import type { StartupTimingsSnapshot } from '../src/core/common/startupTimings';

export interface ActivationProbeResult {
  /** Whether the extension was already active before the probe showed the view (it must not be). */
  activeBeforeView: boolean;
  /** performance.now() just before the probe asked VS Code to show the view. */
  viewRequestedAt: number;
  timings: StartupTimingsSnapshot;
  /** Socket connects made by the extension's own code (its install folder in the stack), with their time. */
  extensionConnects: { at: number; stack: string }[];
  /** All socket connects of the extension host in the same window (VS Code's own included). */
  allConnects: number;
  /** How long the probe kept recording after the contexts were shown. */
  watchedAfterMs: number;
  /**
   * VS Code's own marks around loading the extension's main module (reading, compiling and running
   * dist/extension.js, before activate() is called), on the performance.now() timeline of this process.
   */
  codeLoad: { startedAt: number; endedAt: number };
  /** The extension's files (relative to its folder) in Node's module cache when the contexts were shown... */
  loadedAtContexts: string[];
  /** ...and at the end of the watch after that. */
  loadedAfter: string[];
}

const EXTENSION_ID = 'kube-workbench.kube-workbench';
const VIEW_CONTAINER_COMMAND = 'workbench.view.extension.kubeWorkbench';
const WATCH_AFTER_MS = 1000;

interface PerformanceMarks {
  getMarks(): { name: string; startTime: number }[];
}

/**
 * The extension host marks `code/extHost/willLoadExtensionCode/<id>` and `didLoadExtensionCode/<id>` around the
 * require() of an extension's main module (the "code loading" time of Developer: Show Running Extensions). In the
 * Node extension host the marks are Date.now() values kept on `globalThis.MonacoPerformanceMarks`: not an API,
 * so a VS Code without them fails the bench instead of reporting a figure without the loading.
 */
function codeLoadMarks(): { startedAt: number; endedAt: number } {
  const marks = (globalThis as { MonacoPerformanceMarks?: PerformanceMarks }).MonacoPerformanceMarks?.getMarks();
  if (!marks) throw new Error('this VS Code keeps no globalThis.MonacoPerformanceMarks: code loading not measurable');
  const at = (name: string): number => {
    const mark = marks.filter((m) => m.name === `code/extHost/${name}/${EXTENSION_ID}`).pop();
    if (!mark) throw new Error(`VS Code recorded no ${name} mark for ${EXTENSION_ID}`);
    return mark.startTime - performance.timeOrigin; // epoch milliseconds to this process's performance.now()
  };
  return { startedAt: at('willLoadExtensionCode'), endedAt: at('didLoadExtensionCode') };
}

/** The extension's own files that Node has loaded so far (the module cache is one per process). */
function loadedFiles(extensionPath: string): string[] {
  const prefix = `${extensionPath}/`;
  return Object.keys(require.cache)
    .filter((file) => file.startsWith(prefix))
    .map((file) => file.slice(prefix.length))
    .sort();
}

export async function run(): Promise<void> {
  const out = process.env.KWB_BENCH_ACTIVATION_OUT;
  if (!out) throw new Error('KWB_BENCH_ACTIVATION_OUT is not set');
  const ext = vscode.extensions.getExtension<KubeWorkbenchApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  const activeBeforeView = ext.isActive;

  // Every TCP/TLS connection (http, https, ws) goes through net.Socket#connect in this process.
  const connects: { at: number; stack: string }[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below, called with apply(this)
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    connects.push({ at: performance.now(), stack: new Error('connect').stack ?? '' });
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  try {
    const viewRequestedAt = performance.now();
    await vscode.commands.executeCommand(VIEW_CONTAINER_COMMAND);
    const deadline = Date.now() + 60_000;
    while (!(ext.isActive && ext.exports.startupTimings().contextsShownAt !== undefined)) {
      if (Date.now() > deadline) throw new Error('the Clusters view did not show its contexts within 60 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    const loadedAtContexts = loadedFiles(ext.extensionPath);
    // Whatever the extension starts right after showing the contexts would show up here.
    await new Promise((r) => setTimeout(r, WATCH_AFTER_MS));
    const result: ActivationProbeResult = {
      activeBeforeView,
      viewRequestedAt,
      timings: ext.exports.startupTimings(),
      extensionConnects: connects.filter((c) => c.stack.includes(ext.extensionPath)),
      allConnects: connects.length,
      watchedAfterMs: WATCH_AFTER_MS,
      codeLoad: codeLoadMarks(),
      loadedAtContexts,
      loadedAfter: loadedFiles(ext.extensionPath),
    };
    fs.writeFileSync(out, JSON.stringify(result));
  } finally {
    net.Socket.prototype.connect = original;
  }
}
