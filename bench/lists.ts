// The product's pod list as the tree uses it (WatchedList of rows, pages of 500), for the list benchmarks.
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { WatchedList } from '../src/core/watch/watchedList';
import { toRow, type ResourceRow, type Row } from '../src/core/resources/rows';
import { silentLogger } from '../src/core/common/logger';

export function podList(kubeconfig: string, path = '/api/v1/pods'): WatchedList<ResourceRow> {
  const kc = loadKubeconfig([kubeconfig]).kubeConfigFor('kwb-admin');
  return new WatchedList<ResourceRow>(
    new ClusterClient('kwb-admin', kc, ADMIT_EVERYTHING),
    path,
    (o) => toRow('Pod', o),
    'pods',
    {
      log: silentLogger,
      pageSize: 500,
    },
  );
}

/** Starts the list and resolves once it is ready (every page read), or rejects on failure or after 120 s. */
export async function untilReady<R extends Row>(list: WatchedList<R>, what = 'list'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not become ready in 120 s`)), 120_000);
    const check = (): void => {
      const snap = list.snapshot();
      if (snap.state === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (snap.state === 'failed') {
        clearTimeout(timer);
        reject(snap.error ?? new Error('failed'));
      }
    };
    list.onDidChange(check);
    list.start();
    check();
  });
}
