export interface TimerHandle {
  cancel(): void;
}

/** Time as a dependency, so retry and throttle logic can be tested without waiting. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // Timers owned by caches must never keep a process (tests, the extension host on shutdown) alive.
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};
