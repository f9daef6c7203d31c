// Agent tools benchmark (#13): what "list pods" costs an agent. The answer of kwb_list_objects for the 10,000 pods
// of namespace `scale`, against the floor an agent gets from kubectl (`kubectl get pods -n scale -o json`, the bytes
// it would have to read): its size, and the time to answer from a warm watch cache against the time kubectl takes.
// Called from bench/run.ts; `KWB_BENCH_ONLY=agent npm run bench` runs only this.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { AgentEnv } from '../src/core/agent/agentEnv';
import { DEFAULT_ANSWER_CHARS } from '../src/core/agent/agentPolicy';
import { runAgentTool } from '../src/core/agent/tools';
import { silentLogger } from '../src/core/common/logger';
import { ChangeGuard } from '../src/core/kube/changeGuard';
import { KubeconfigService } from '../src/core/kube/kubeconfigService';
import { SessionRegistry } from '../src/core/watch/clusterSession';
import type { LocalCluster } from '../test/cluster/index';
import { median, type BenchRecord } from './lib';

const WARM_CALLS = 21;

function kubectlJson(kubeconfig: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--context', 'kwb-admin', 'get', 'pods', '-n', 'scale', '-o', 'json'],
      { encoding: 'buffer', maxBuffer: 1 << 30 },
      (err, stdout) => {
        if (err) reject(new Error(`kubectl get pods -o json failed: ${err.message}`));
        else resolve({ ms: performance.now() - started, bytes: stdout.length });
      },
    ),
  );
}

export async function benchAgentTools(
  cluster: LocalCluster,
  pods: number,
  record: (r: BenchRecord) => void,
): Promise<void> {
  const kubeconfig = new KubeconfigService(() => ({ extraFiles: [cluster.kubeconfigPath] }), silentLogger, false);
  const guard = new ChangeGuard(() => ({ readOnly: [], confirm: [] }));
  const sessions = new SessionRegistry(() => kubeconfig.current, { log: silentLogger, gate: guard });
  const env: AgentEnv = {
    policy: {
      allowedContexts: ['kwb-admin'],
      allowChanges: false,
      changeTools: [],
      answerChars: DEFAULT_ANSWER_CHARS,
      allowClusterScopedChanges: false,
    },
    kubeconfig: () => kubeconfig.current,
    sessions,
    productPolicy: () => 'normal',
    log: silentLogger,
    syncTimeoutMs: 300_000,
  };
  const input = { kind: 'pods', namespace: 'scale', contexts: ['kwb-admin'] };
  try {
    const kubectl = [];
    for (let i = 0; i < 3; i++) kubectl.push(await kubectlJson(cluster.kubeconfigPath));
    const cold = await runAgentTool(env, 'kwb_list_objects', input);
    const total = Number(/^Pod: (\d+) matching/.exec(cold)?.[1] ?? NaN);
    if (total !== pods) throw new Error(`kwb_list_objects saw ${total} pods in namespace scale, expected ${pods}`);
    const warmMs: number[] = [];
    let answer = cold;
    for (let i = 0; i < WARM_CALLS; i++) {
      const t0 = performance.now();
      answer = await runAgentTool(env, 'kwb_list_objects', input);
      warmMs.push(performance.now() - t0);
    }
    if (answer !== cold) throw new Error('kwb_list_objects answered differently for the same cache state');
    const answerBytes = Buffer.byteLength(answer);
    const jsonBytes = median(kubectl.map((k) => k.bytes));
    const shown = answer.split('\n').length - 2;
    record({
      name: 'agent: "list pods" answer size (10,000 pods)',
      value: (answerBytes / jsonBytes) * 100,
      unit: '% of kubectl -o json',
      floor: null,
      target: '<= 2%',
      note: `${(answerBytes / 1024).toFixed(1)} KiB answer (${shown} rows shown, the count of the other ${pods - shown} given) vs ${(jsonBytes / 2 ** 20).toFixed(1)} MiB of kubectl get pods -o json`,
    });
    record({
      name: 'agent: "list pods" from a warm cache (10,000 pods)',
      value: median(warmMs),
      unit: 'ms',
      floor: median(kubectl.map((k) => k.ms)),
      target: '<= 20 ms',
      note: `median of ${WARM_CALLS} calls; floor: kubectl get pods -n scale -o json (median of 3)`,
    });
  } finally {
    sessions.dispose();
    kubeconfig.dispose();
    guard.dispose();
  }
}
