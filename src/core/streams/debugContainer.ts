/**
 * `kubectl debug -it <pod> --image=<image> --target=<container>`: an ephemeral container added to a running pod
 * (the pods/ephemeralcontainers subresource), waited for until it runs; the caller then attaches to it.
 */
import { KubeError, toKubeError } from '../kube/errors';
import type { JsonTransport } from '../kube/transport';
import { podPath } from './logFollower';

export interface DebugRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly image: string;
  /** The container whose process namespace the debugger shares (`--target`). */
  readonly target?: string;
  /** Default: `debugger-<5 letters>`, like kubectl. */
  readonly name?: string;
}

interface PodShape {
  spec?: { ephemeralContainers?: { name: string }[] };
  status?: {
    ephemeralContainerStatuses?: {
      name?: string;
      state?: { running?: object; waiting?: { reason?: string; message?: string }; terminated?: { reason?: string } };
    }[];
  };
}

const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}$/;

export function debugContainerName(random: () => number = Math.random): string {
  const letters = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += letters[Math.floor(random() * letters.length)] ?? 'x';
  return `debugger-${suffix}`;
}

/** Adds the ephemeral container; returns its name. */
export async function addDebugContainer(client: JsonTransport, request: DebugRequest): Promise<string> {
  if (!IMAGE.test(request.image)) throw new KubeError('invalid', `"${request.image}" is not an image reference`);
  const name = request.name ?? debugContainerName();
  await client.getJson(
    `${podPath(request.namespace, request.pod)}/ephemeralcontainers`,
    {
      method: 'PATCH',
      contentType: 'application/strategic-merge-patch+json',
      body: JSON.stringify({
        spec: {
          ephemeralContainers: [
            {
              name,
              image: request.image,
              targetContainerName: request.target,
              stdin: true,
              tty: true,
              terminationMessagePolicy: 'File',
              imagePullPolicy: 'IfNotPresent',
            },
          ],
        },
      }),
    },
    `adding a debug container to pod "${request.pod}" in namespace "${request.namespace}"`,
  );
  return name;
}

/** Resolves when the ephemeral container runs; throws with the kubelet's reason when it cannot start in time. */
export async function waitDebugContainer(
  client: JsonTransport,
  namespace: string,
  pod: string,
  name: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let last = 'not started';
  for (;;) {
    let current: PodShape;
    try {
      current = await client.getJson<PodShape>(podPath(namespace, pod), {}, `reading pod "${pod}"`);
    } catch (err) {
      throw toKubeError(err, `waiting for debug container "${name}" of pod "${pod}"`);
    }
    const state = current.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state;
    if (state?.running) return;
    if (state?.terminated) {
      throw new KubeError(
        'invalid',
        `Debug container "${name}" of pod "${pod}" ended (${state.terminated.reason ?? 'terminated'})`,
      );
    }
    if (state?.waiting?.reason)
      last = `${state.waiting.reason}${state.waiting.message ? `: ${state.waiting.message}` : ''}`;
    if (Date.now() > deadline || options.signal?.aborted) {
      throw new KubeError(
        'timeout',
        `Debug container "${name}" of pod "${pod}" in namespace "${namespace}" is not running after ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s (${last}); it stays in the pod spec (ephemeral containers cannot be removed)`,
      );
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}
