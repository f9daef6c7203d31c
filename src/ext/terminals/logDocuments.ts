import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import type { LogOptions } from '../../core/streams/logFollower';
import { RingBuffer } from '../../core/streams/logText';
import { WorkloadLogs, type ContainerChoice, type PodSelection } from '../../core/streams/workloadLogs';
import type { Transport } from '../../core/kube/transport';
import { prefixOf } from '../../core/streams/logTerminalSink';

export const LOG_SCHEME = 'kubeWorkbench-log';

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;:]*m/g;

interface LogDoc {
  lines: RingBuffer<string>;
  logs: WorkloadLogs;
  ended: boolean;
}

/**
 * Logs as read-only documents (language `kubernetes-log`): native search, copy and save. Each document keeps the
 * newest lines in a ring buffer (setting kubeWorkbench.logs.maxLines) and refreshes at most four times a second;
 * closing the document stops its streams.
 */
export class LogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly docs = new Map<string, LogDoc>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private counter = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: Logger) {
    this.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme !== LOG_SCHEME) return;
        const key = doc.uri.toString();
        // Setting the language closes and reopens the document under the same URI: only a close that is not
        // followed by a reopen stops the streams.
        setTimeout(() => {
          if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) return;
          this.docs.get(key)?.logs.dispose();
          this.docs.delete(key);
        }, 1_000);
      }),
    );
  }

  async open(
    transport: Transport,
    selection: PodSelection,
    choice: ContainerChoice,
    options: LogOptions,
    title: string,
    maxLines: number,
  ): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({
      scheme: LOG_SCHEME,
      path: `/${title.replace(/[\\/:*?"<>|]/g, '_')}.log`,
      query: `n=${++this.counter}`,
    });
    const key = uri.toString();
    const lines = new RingBuffer<string>(maxLines);
    const showPrefix = choice.container === undefined || selection.fieldSelector === undefined;
    const doc: LogDoc = { lines, ended: false, logs: undefined as unknown as WorkloadLogs };
    doc.logs = new WorkloadLogs(
      transport,
      selection,
      choice,
      options,
      {
        line: (source, text, timestamp) => {
          const ts = options.timestamps && timestamp ? `${timestamp} ` : '';
          this.add(key, `${showPrefix ? prefixOf(source) : ''}${ts}${text.replace(SGR, '')}`);
        },
        notice: (message, source) => this.add(key, `[kube-workbench] ${source ? prefixOf(source) : ''}${message}`),
        end: (message, error) => {
          doc.ended = true;
          if (error) this.log.warn('logs', error.message, error.cause);
          this.add(key, `[kube-workbench] ${error ? error.message : (message ?? 'The log ended.')}`);
        },
      },
      { log: this.log },
    );
    this.docs.set(key, doc);
    let document = await vscode.workspace.openTextDocument(uri);
    document = await vscode.languages.setTextDocumentLanguage(document, 'kubernetes-log');
    await vscode.window.showTextDocument(document, { preview: false });
    // Lines that arrived while the document was being opened: a change event before it was open is lost.
    this.dirty.add(key);
    this.schedule();
    return document;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const doc = this.docs.get(uri.toString());
    if (!doc) return '[kube-workbench] This log is no longer followed; open it again from the Clusters view.\n';
    const dropped = doc.lines.dropped > 0 ? `[kube-workbench] ${doc.lines.dropped} older lines dropped\n` : '';
    const lines = doc.lines.toArray();
    return dropped + lines.join('\n') + (lines.length > 0 ? '\n' : '');
  }

  private add(key: string, line: string): void {
    const doc = this.docs.get(key);
    if (!doc) return;
    doc.lines.push(line);
    this.dirty.add(key);
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      for (const k of this.dirty) this.changed.fire(vscode.Uri.parse(k));
      this.dirty.clear();
    }, 250);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const doc of this.docs.values()) doc.logs.dispose();
    this.docs.clear();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
