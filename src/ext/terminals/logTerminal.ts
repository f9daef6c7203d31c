import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import type { LogOptions } from '../../core/streams/logFollower';
import { RingBuffer } from '../../core/streams/logText';
import {
  WorkloadLogs,
  type ContainerChoice,
  type LogSource,
  type MultiLogSink,
  type PodSelection,
} from '../../core/streams/workloadLogs';
import type { ListWatchTransport } from '../../core/watch/watchedList';

/** What tests (and the API) can see of a terminal this extension opened. */
export interface TerminalSession {
  readonly kind: 'logs' | 'exec' | 'attach';
  readonly name: string;
  readonly terminal: vscode.Terminal;
  readonly pty: vscode.Pseudoterminal;
  /** Everything written to the terminal so far (the last 1 MB). */
  output(): string;
  /** Resolves with the exit code given to onDidClose. */
  readonly closed: Promise<number | undefined>;
}

const COLOURS = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export function colourOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return COLOURS[h % COLOURS.length] ?? 36;
}

/** `[pod/container] ` as the kubernetes-log grammar expects it. */
export function prefixOf(source: LogSource): string {
  return `[${source.pod}/${source.container}] `;
}

export class OutputRecorder {
  private text = '';
  constructor(private readonly limit = 1_000_000) {}
  add(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit) this.text = this.text.slice(this.text.length - this.limit);
  }
  get value(): string {
    return this.text;
  }
}

/**
 * Logs in a pseudoterminal: one merged stream with a coloured `[pod/container]` prefix per line when several
 * containers are shown; notices dimmed, errors red. Lines that arrive before the terminal opens are kept in a
 * ring buffer (bounded), and closing the terminal stops every stream.
 */
export function openLogTerminal(
  transport: ListWatchTransport,
  selection: PodSelection,
  choice: ContainerChoice,
  options: LogOptions,
  name: string,
  log: Logger,
  bufferLines: number,
): TerminalSession {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const recorder = new OutputRecorder();
  const pending = new RingBuffer<string>(bufferLines);
  let opened = false;
  let logs: WorkloadLogs | undefined;
  let resolveClosed: (code: number | undefined) => void = () => undefined;
  const closed = new Promise<number | undefined>((r) => (resolveClosed = r));
  const showPrefix = choice.container === undefined || selection.fieldSelector === undefined;

  const emit = (text: string): void => {
    if (!opened) {
      pending.push(text);
      return;
    }
    recorder.add(text);
    write.fire(text);
  };

  const sink: MultiLogSink = {
    line(source, text, timestamp) {
      const prefix = showPrefix
        ? `\x1b[${colourOf(`${source.pod}/${source.container}`)}m${prefixOf(source)}${RESET}`
        : '';
      const ts = options.timestamps && timestamp ? `${DIM}${timestamp}${RESET} ` : '';
      emit(`${prefix}${ts}${text}${RESET}\r\n`);
    },
    notice(message, source) {
      const where = source ? `${prefixOf(source)}` : '';
      emit(`${DIM}[kube-workbench] ${where}${message}${RESET}\r\n`);
    },
    end(message, error) {
      if (error) {
        log.warn('logs', error.message, error.cause);
        emit(`\x1b[31m[kube-workbench] ${error.message}${RESET}\r\n`);
      } else {
        emit(`${DIM}[kube-workbench] ${message ?? 'The log ended.'}${RESET}\r\n`);
      }
    },
  };

  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open() {
      opened = true;
      const dropped = pending.dropped;
      if (dropped > 0) emit(`${DIM}[kube-workbench] ${dropped} earlier lines were dropped${RESET}\r\n`);
      for (const text of pending.drain()) emit(text);
      logs ??= new WorkloadLogs(transport, selection, choice, options, sink, { log });
    },
    close() {
      logs?.dispose();
      resolveClosed(undefined);
    },
    handleInput(data) {
      // Ctrl-C or q stops following; the terminal stays for reading.
      if (data === '\x03' || data === 'q') logs?.dispose();
    },
  };
  const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('output') });
  return { kind: 'logs', name, terminal, pty, output: () => recorder.value, closed };
}
