import * as vscode from 'vscode';
import type { Logger } from '../core/common/logger';

/** The extension's one output channel, behind core's Logger interface. */
export class OutputLogger implements Logger, vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Kube Workbench', { log: true });

  trace(component: string, message: string, ...details: unknown[]): void {
    this.channel.trace(`[${component}] ${message}`, ...details.map(describe));
  }
  debug(component: string, message: string, ...details: unknown[]): void {
    this.channel.debug(`[${component}] ${message}`, ...details.map(describe));
  }
  info(component: string, message: string, ...details: unknown[]): void {
    this.channel.info(`[${component}] ${message}`, ...details.map(describe));
  }
  warn(component: string, message: string, ...details: unknown[]): void {
    this.channel.warn(`[${component}] ${message}`, ...details.map(describe));
  }
  error(component: string, message: string, ...details: unknown[]): void {
    this.channel.error(`[${component}] ${message}`, ...details.map(describe));
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}

/**
 * Errors carry their stack and cause; objects are shown as JSON. Request headers (where tokens live) are
 * removed from anything logged.
 */
function describe(value: unknown): unknown {
  if (value instanceof Error) {
    const cause = value.cause === undefined ? '' : `\ncaused by: ${String(describe(value.cause))}`;
    return `${value.stack ?? value.message}${cause}`;
  }
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value, (key, v: unknown) =>
        /^(headers|authorization|token|password)$/i.test(key) ? '<redacted>' : v,
      );
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return value;
}
