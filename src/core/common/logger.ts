/**
 * The one logging interface of the project. The VS Code layer implements it with a LogOutputChannel;
 * tests use `silentLogger` or a recording one. `component` is a short tag such as 'kubeconfig' or 'watch'.
 */
export interface Logger {
  trace(component: string, message: string, ...details: unknown[]): void;
  debug(component: string, message: string, ...details: unknown[]): void;
  info(component: string, message: string, ...details: unknown[]): void;
  warn(component: string, message: string, ...details: unknown[]): void;
  error(component: string, message: string, ...details: unknown[]): void;
}

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface LogRecord {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  component: string;
  message: string;
  details: unknown[];
}

/** Keeps every record in memory: for tests and for diagnostics. */
export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  trace = (component: string, message: string, ...details: unknown[]): void =>
    this.push('trace', component, message, details);
  debug = (component: string, message: string, ...details: unknown[]): void =>
    this.push('debug', component, message, details);
  info = (component: string, message: string, ...details: unknown[]): void =>
    this.push('info', component, message, details);
  warn = (component: string, message: string, ...details: unknown[]): void =>
    this.push('warn', component, message, details);
  error = (component: string, message: string, ...details: unknown[]): void =>
    this.push('error', component, message, details);

  private push(level: LogRecord['level'], component: string, message: string, details: unknown[]): void {
    this.records.push({ level, component, message, details });
  }
}
