/**
 * Two instants of the extension host's `performance.now()`: when activate() began and when the Clusters view
 * first received its contexts. Always recorded (a few numbers, no setting) so that `npm run bench` can read
 * what a user waits for inside a real VS Code, through the extension's API.
 */
export interface StartupTimingsSnapshot {
  /** performance.now() at the first statement of activate(). */
  readonly activateStartedAt: number;
  /** performance.now() when activate() returned. */
  readonly activateEndedAt: number | undefined;
  /** performance.now() when VS Code first asked the tree for the root's items. */
  readonly rootRequestedAt: number | undefined;
  /** performance.now() when the tree first returned the root's context items; undefined until then. */
  readonly contextsShownAt: number | undefined;
  /** How many contexts that first answer held. */
  readonly contextsShown: number;
}

export class StartupTimings {
  private activateEndedAt: number | undefined;
  private rootRequestedAt: number | undefined;
  private contextsShownAt: number | undefined;
  private contextsShown = 0;

  constructor(private readonly activateStartedAt = performance.now()) {}

  activated(): void {
    this.activateEndedAt ??= performance.now();
  }

  /** Only the first answer counts: later ones are refreshes, not what the user waited for. */
  rootShown(requestedAt: number, contexts: number): void {
    if (this.contextsShownAt !== undefined) return;
    this.contextsShownAt = performance.now();
    this.rootRequestedAt = requestedAt;
    this.contextsShown = contexts;
  }

  snapshot(): StartupTimingsSnapshot {
    return {
      activateStartedAt: this.activateStartedAt,
      activateEndedAt: this.activateEndedAt,
      rootRequestedAt: this.rootRequestedAt,
      contextsShownAt: this.contextsShownAt,
      contextsShown: this.contextsShown,
    };
  }
}
