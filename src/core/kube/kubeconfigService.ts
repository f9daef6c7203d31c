import { Emitter, type Event } from '../common/event';
import { DisposableStore, type Disposable } from '../common/disposable';
import type { Logger } from '../common/logger';
import {
  kubeconfigPaths,
  loadKubeconfig,
  watchKubeconfigFiles,
  type KubeconfigLocation,
  type MergedKubeconfig,
} from './kubeconfig';

/**
 * Owns the merged kubeconfig: loads it on first use (never during activation), reloads when a file changes
 * or the settings name other files, and tells listeners. It never writes to a kubeconfig file.
 */
export class KubeconfigService implements Disposable {
  private merged: MergedKubeconfig | undefined;
  private readonly store = new DisposableStore();
  private fileWatch: Disposable | undefined;
  private readonly changed = this.store.add(new Emitter<MergedKubeconfig>());
  readonly onDidChange: Event<MergedKubeconfig> = this.changed.event;

  constructor(
    private location: () => KubeconfigLocation,
    private readonly log: Logger,
    private readonly watchFiles = true,
  ) {}

  /** The merged kubeconfig, loaded synchronously on first call (a few small local files). */
  get current(): MergedKubeconfig {
    return (this.merged ??= this.load());
  }

  get isLoaded(): boolean {
    return this.merged !== undefined;
  }

  reload(): MergedKubeconfig {
    this.merged = this.load();
    this.changed.fire(this.merged);
    return this.merged;
  }

  private load(): MergedKubeconfig {
    const paths = kubeconfigPaths(this.location());
    const merged = loadKubeconfig(paths);
    this.log.info(
      'kubeconfig',
      `read ${merged.files.length} of ${paths.length} file(s): ${merged.contexts.length} context(s)`,
      {
        files: paths,
      },
    );
    for (const warning of merged.warnings) this.log.warn('kubeconfig', warning);
    if (this.watchFiles) {
      this.fileWatch?.dispose();
      this.fileWatch = watchKubeconfigFiles(paths, () => {
        this.log.info('kubeconfig', 'a kubeconfig file changed; reloading');
        this.reload();
      });
    }
    return merged;
  }

  dispose(): void {
    this.fileWatch?.dispose();
    this.store.dispose();
  }
}
