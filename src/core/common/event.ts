import type { Disposable } from './disposable';

export type Event<T> = (listener: (value: T) => void) => Disposable;

/** A minimal event emitter with the same shape as vscode.EventEmitter, so core stays free of `vscode`. */
export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (err) {
        // One faulty listener must not starve the others; surface it asynchronously like an unhandled error.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
