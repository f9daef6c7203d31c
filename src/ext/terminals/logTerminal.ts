import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import type { LogOptions } from '../../core/streams/logFollower';
import { terminalLogSink } from '../../core/streams/logTerminalSink';
import { OutputRecorder, TerminalOutput } from '../../core/streams/terminalOutput';
import { WorkloadLogs, type ContainerChoice, type PodSelection } from '../../core/streams/workloadLogs';
import type { Transport } from '../../core/kube/transport';

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
  /**
   * Exec and attach: ends the connection and says why in the terminal, which stays open to be read (a context
   * that became read-only). Log terminals only read and have none.
   */
  readonly cut?: (reason: string) => void;
}

/**
 * Logs in a pseudoterminal: one merged stream with a coloured `[pod/container]` prefix per line when several
 * containers are shown; notices dimmed, errors red. Lines are written in batches (TerminalOutput); lines that
 * arrive before the terminal opens are kept in a ring buffer (bounded), and closing the terminal stops every
 * stream.
 */
export function openLogTerminal(
  transport: Transport,
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
  const output = new TerminalOutput(
    (text) => {
      recorder.add(text);
      write.fire(text);
    },
    { bufferPieces: bufferLines },
  );
  let logs: WorkloadLogs | undefined;
  let resolveClosed: (code: number | undefined) => void = () => undefined;
  const closed = new Promise<number | undefined>((r) => (resolveClosed = r));
  const showPrefix = choice.container === undefined || selection.fieldSelector === undefined;
  const sink = terminalLogSink(options, showPrefix, (text, lines) => output.push(text, lines), log);

  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open() {
      output.open();
      logs ??= new WorkloadLogs(transport, selection, choice, options, sink, { log });
    },
    close() {
      logs?.dispose();
      output.dispose();
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
