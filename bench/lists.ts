// The product's pod list as the tree uses it (WatchedList of rows, pages of 500), for the list benchmarks.
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { WatchedList } from '../src/core/watch/watchedList';
import { toRow, type ResourceRow } from '../src/core/resources/rows';
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

export async function untilReady(list: WatchedList<ResourceRow>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('list did not become ready in 120 s')), 120_000);
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
