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
