// Stands in, inside our bundles, for the two imports of client-node's KubeConfig file that only its
// makeApiClient() and applyToFetchOptions() use: the generated API client (`./gen/index.js`) and node-fetch.
// Kube Workbench makes its requests through ClusterClient and never calls either method; if some code ever does,
// it fails with this message instead of sending a request built without our guard and budgets.

function unused(what: string): never {
  throw new Error(
    `Kube Workbench does not bundle client-node's ${what}: requests go through ClusterClient ` +
      '(see src/core/kube/clientNodeParts.ts).',
  );
}

export function createConfiguration(): never {
  return unused('generated API client (KubeConfig.makeApiClient)');
}

export class ServerConfiguration {
  constructor() {
    unused('generated API client (KubeConfig.makeApiClient)');
  }
}

export class Headers {
  constructor() {
    unused('node-fetch (KubeConfig.applyToFetchOptions)');
  }
}
