/**
 * Checks the local test cluster the way a user would: with the kubectl that is
 * installed on the machine.
 *
 *   node --import tsx --test test/cluster/cluster.test.ts
 *
 * The first run builds the cluster binary (many minutes); later runs reuse it.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { type LocalCluster, portOpen, processAlive, startCluster } from './index';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

let cluster: LocalCluster;
let work: string;

function kubectl(args: string[], opts: { context?: string; timeoutMs?: number; input?: string } = {}): Promise<Run> {
  const full = ['--kubeconfig', cluster.kubeconfigPath, ...(opts.context ? ['--context', opts.context] : []), ...args];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL,
      full,
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : -1
          : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function ok(args: string[], opts: { context?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectl(args, opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Runs a long-lived kubectl and resolves once its output matches. */
function watchOutput(args: string[], pattern: RegExp, timeoutMs = 30_000) {
  const child = spawn(KUBECTL, ['--kubeconfig', cluster.kubeconfigPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const matched = new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`timeout waiting for ${pattern} in kubectl ${args.join(' ')}\nstdout: ${out}\nstderr: ${err}`),
        ),
      timeoutMs,
    );
    const check = () => {
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', (d) => {
      out += d;
      check();
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!pattern.exec(out))
        reject(new Error(`kubectl ${args.join(' ')} exited ${code} before ${pattern}\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  return { child, matched, output: () => out, errors: () => err };
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

const deploymentYaml = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: default
spec:
  replicas: 2
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      containers:
      - name: hello
        image: ${image}
        ports: [{containerPort: 8080}]
`;

void describe('local cluster', { timeout: 60 * 60 * 1000 }, () => {
  before(
    async () => {
      work = await mkdtemp(join(tmpdir(), 'kwb-cluster-test-'));
      cluster = await startCluster({ seed: true });
      console.log(
        `# cluster ready in ${cluster.startupMs} ms at ${cluster.server}; kubeconfig ${cluster.kubeconfigPath}`,
      );
    },
    { timeout: 60 * 60 * 1000 },
  );

  after(async () => {
    if (cluster) await cluster.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  void it('writes a kubeconfig with the four contexts, kwb-admin current', async () => {
    const contexts = (await ok(['config', 'get-contexts', '-o', 'name'])).trim().split('\n').sort();
    assert.deepEqual(contexts, ['kwb-admin', 'kwb-exec', 'kwb-offline', 'kwb-viewer']);
    assert.equal((await ok(['config', 'current-context'])).trim(), 'kwb-admin');
  });

  void it('get nodes: 3 kwok nodes, all Ready', async () => {
    const out = await ok(['get', 'nodes', '--no-headers']);
    const lines = out.trim().split('\n');
    assert.equal(lines.length, 3, out);
    for (const l of lines) assert.match(l, /^kwok-node-\d+\s+Ready\s/, l);
  });

  void it('apply -f a Deployment, rollout status, new revision, rollout undo goes back', async () => {
    const f = join(work, 'hello.yaml');
    await writeFile(f, deploymentYaml('example.com/hello:1'));
    assert.match(await ok(['apply', '-f', f]), /deployment.apps\/hello (created|configured)/);
    assert.match(
      await ok(['rollout', 'status', 'deployment/hello', '-n', 'default', '--timeout=90s']),
      /successfully rolled out/,
    );
    await writeFile(f, deploymentYaml('example.com/hello:2'));
    await ok(['apply', '-f', f]);
    await ok(['rollout', 'status', 'deployment/hello', '-n', 'default', '--timeout=90s']);
    const history = await ok(['rollout', 'history', 'deployment/hello', '-n', 'default']);
    assert.match(history, /^1\s/m, history);
    assert.match(history, /^2\s/m, history);
    assert.match(await ok(['rollout', 'undo', 'deployment/hello', '-n', 'default']), /rolled back/);
    await ok(['rollout', 'status', 'deployment/hello', '-n', 'default', '--timeout=90s']);
    const image = await ok([
      'get',
      'deployment/hello',
      '-n',
      'default',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    assert.equal(image, 'example.com/hello:1');
    const ready = await ok(['get', 'deployment/hello', '-n', 'default', '-o', 'jsonpath={.status.readyReplicas}']);
    assert.equal(ready, '2');
  });

  void it('seeded objects exist (workloads, CRD instances, PVC bound, two revisions of demo/web)', async () => {
    const all = await ok([
      'get',
      'deploy,sts,ds,cronjob,job,svc,ingress,cm,secret,pvc,hpa',
      '-n',
      'demo',
      '-o',
      'name',
    ]);
    for (const name of [
      'deployment.apps/web',
      'deployment.apps/logger',
      'statefulset.apps/db',
      'daemonset.apps/node-agent',
      'cronjob.batch/report',
      'job.batch/migrate',
      'service/web',
      'ingress.networking.k8s.io/web',
      'configmap/web-config',
      'secret/web-credentials',
      'persistentvolumeclaim/data',
      'horizontalpodautoscaler.autoscaling/web',
    ]) {
      assert.ok(all.includes(name), `${name} missing in:\n${all}`);
    }
    assert.equal(await ok(['get', 'deploy/web', '-n', 'demo', '-o', 'jsonpath={.status.availableReplicas}']), '3');
    const history = await ok(['rollout', 'history', 'deployment/web', '-n', 'demo']);
    assert.match(history, /^1\s+initial version/m, history);
    assert.match(history, /^2\s+upgrade to nginx:1.28/m, history);
    const widgets = await ok(['get', 'widgets', '-A', '--no-headers']);
    assert.equal(widgets.trim().split('\n').length, 3, widgets);
    assert.equal(await ok(['get', 'pvc/data', '-n', 'demo', '-o', 'jsonpath={.status.phase}']), 'Bound');
    for (const ns of ['demo', 'team-a', 'team-b']) await ok(['get', 'ns', ns]);
  });

  void it('logs returns the seeded lines of a pod', async () => {
    const out = await ok(['logs', '-n', 'demo', 'standalone', '-c', 'main']);
    assert.match(out, /starting main in pod demo\/standalone/);
    assert.match(out, /main: ready/);
    const deploy = await ok(['logs', '-n', 'demo', 'deploy/web']);
    assert.match(deploy, /starting nginx in pod demo\/web-/);
  });

  void it('logs -f follows lines appended to the log file', async () => {
    const marker = `follow-marker-${Date.now()}`;
    const w = watchOutput(['logs', '-f', '-n', 'demo', 'standalone', '-c', 'main'], new RegExp(marker));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      await cluster.appendLog('demo', 'standalone', 'main', [`${marker} one`, `${marker} two`]);
      await w.matched;
      assert.match(w.output(), /starting main in pod demo\/standalone/);
    } finally {
      w.child.kill();
    }
  });

  void it('a pod labelled kwb.dev/restart-once restarts once; logs --previous shows the first instance', async () => {
    const name = `restarts-${Date.now().toString(36)}`;
    await ok(['run', name, '-n', 'demo', '--image=example/app:1', '--labels=kwb.dev/restart-once=true']);
    try {
      let status = '';
      for (let i = 0; i < 100 && !/^1 1 Error$/.test(status); i++) {
        await new Promise((r) => setTimeout(r, 300));
        status = await ok([
          'get',
          'pod',
          name,
          '-n',
          'demo',
          '-o',
          'jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].lastState.terminated.reason}',
        ]);
      }
      assert.equal(status, '1 1 Error', 'restartCount, lastState.terminated exit code and reason');
      assert.match(
        await ok(['get', 'pod', name, '-n', 'demo', '--no-headers']),
        new RegExp(`^${name}\\s+1/1\\s+Running\\s+1 `),
      );
      const previous = await ok(['logs', '--previous', '-n', 'demo', name]);
      assert.match(
        previous,
        new RegExp(`starting ${name} in pod demo/${name} \\(image example/app:1\\), first instance`),
      );
      assert.match(previous, new RegExp(`${name}: fatal: simulated crash`));
      const current = await ok(['logs', '-n', 'demo', name]);
      assert.match(current, /restarted after the first instance exited with code 1/);
      assert.doesNotMatch(current, /fatal: simulated crash/);
      // A pod without the label has no previous instance, as on a real node.
      const none = await kubectl(['logs', '--previous', '-n', 'demo', 'standalone', '-c', 'main']);
      assert.notEqual(none.code, 0, none.stdout);
    } finally {
      await kubectl(['delete', 'pod', name, '-n', 'demo', '--grace-period=0', '--wait=false']);
    }
  });

  void it('attach streams what the container writes from then on', async () => {
    const marker = `attach-marker-${Date.now()}`;
    const w = watchOutput(['attach', '-n', 'demo', 'standalone', '-c', 'sidecar'], new RegExp(`${marker} two`));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      await cluster.appendLog('demo', 'standalone', 'sidecar', [`${marker} one`, `${marker} two`]);
      await w.matched;
      assert.match(w.output(), new RegExp(`${marker} one\n${marker} two`));
      // Attach starts at the end: the seeded lines are not repeated.
      assert.doesNotMatch(w.output(), /starting sidecar in pod/);
    } finally {
      w.child.kill();
    }
  });

  void it("exec -- sh -c 'echo hi; exit 3' prints hi and exits 3, in the pod's sandbox folder", async () => {
    const r = await kubectl(['exec', '-n', 'demo', 'standalone', '-c', 'main', '--', 'sh', '-c', 'echo hi; exit 3']);
    assert.equal(r.stdout, 'hi\n');
    assert.equal(r.code, 3, r.stderr);
    const pwd = await ok(['exec', '-n', 'demo', 'standalone', '--', 'sh', '-c', 'pwd; echo $POD_NAMESPACE/$POD_NAME']);
    assert.equal(pwd, `${cluster.execDir('demo', 'standalone')}\ndemo/standalone\n`);
    // stdin reaches the command; kwok v0.8.0 does not pass on its end (EOF), so read one line rather than cat.
    const stdin = await kubectl(
      ['exec', '-i', '-n', 'demo', 'standalone', '--', 'sh', '-c', 'read l; echo "$l" | tr a-z A-Z'],
      {
        input: 'piped\n',
      },
    );
    assert.equal(stdin.stdout, 'PIPED\n');
  });

  void it(
    'exec -it gives a real terminal with size and resize (through script(1))',
    { skip: !existsSync('/usr/bin/script') && 'script(1) not installed' },
    async () => {
      // script(1) provides the pseudo-terminal kubectl needs for -t.
      const cmd = `stty cols 100 rows 30; ${KUBECTL} --kubeconfig ${cluster.kubeconfigPath} exec -it -n demo standalone -- sh -c 'tty; sleep 0.5; stty size; sleep 0.5; exit 7'`;
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
        });
        child.stderr.on('data', (d) => {
          out += d;
        });
        child.on('exit', (code) => resolve({ code, out }));
        setTimeout(() => child.kill(), 30_000);
      });
      assert.match(r.out, /\/dev\/pts\/\d+/, r.out);
      assert.match(r.out, /30 100/, r.out);
      assert.equal(r.code, 7, r.out);
    },
  );

  void it('port-forward reaches the port served for the pod', async () => {
    const w = watchOutput(
      ['port-forward', '-n', 'demo', 'pod/standalone', ':8080'],
      /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/,
    );
    try {
      const m = await w.matched;
      // Each connection starts a process on the "node" (kwok PortForward command target); on a loaded machine
      // a connection can be dropped, so allow a retry and report what kubectl said.
      const getWithRetry = async (path: string) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await httpGet(`http://127.0.0.1:${m[1]}${path}`);
          } catch (e) {
            console.log(`# port-forward attempt ${attempt} failed: ${String(e)}; kubectl: ${w.errors().trim()}`);
            if (attempt >= 3) throw e;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      };
      const res = await getWithRetry('/');
      assert.equal(res.status, 200);
      assert.equal(res.body, 'hello from pod demo/standalone\n');
      const again = await getWithRetry('/healthz');
      assert.equal(again.body, 'ok\n');
    } finally {
      w.child.kill();
    }
  });

  void it('auth can-i answers as RBAC says for kwb-viewer (read-only in team-a, nothing cluster-wide)', async () => {
    const can = async (args: string[]) =>
      (await kubectl(['auth', 'can-i', ...args], { context: 'kwb-viewer' })).stdout.trim();
    assert.equal(await can(['get', 'pods', '-n', 'team-a']), 'yes');
    assert.equal(await can(['list', 'deployments.apps', '-n', 'team-a']), 'yes');
    assert.equal(await can(['watch', 'configmaps', '-n', 'team-a']), 'yes');
    assert.equal(await can(['create', 'pods', '-n', 'team-a']), 'no');
    assert.equal(await can(['delete', 'deployments.apps', '-n', 'team-a']), 'no');
    assert.equal(await can(['get', 'pods', '-n', 'demo']), 'no');
    assert.equal(await can(['list', 'nodes']), 'no');
    assert.equal(await can(['list', 'namespaces']), 'no');
    assert.equal(await can(['list', 'pods', '--all-namespaces']), 'no');
    const nodes = await kubectl(['get', 'nodes'], { context: 'kwb-viewer' });
    assert.notEqual(nodes.code, 0);
    assert.match(nodes.stderr, /forbidden/i);
    const r = await kubectl(['auth', 'can-i', 'create', 'pods', '-n', 'team-a'], { context: 'kwb-viewer' });
    assert.equal(r.code, 1);
    assert.match(await ok(['get', 'deploy', '-n', 'team-a'], { context: 'kwb-viewer' }), /api/);
    const denied = await kubectl(['get', 'pods', '-n', 'demo'], { context: 'kwb-viewer' });
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Forbidden|forbidden/);
  });

  void it('kwb-exec authenticates through the exec credential plugin', async () => {
    const who = await ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { context: 'kwb-exec' });
    assert.equal(who, 'kwb-exec');
    assert.match(await ok(['get', 'ns', 'demo'], { context: 'kwb-exec' }), /demo/);
    const log = await readFile(join(cluster.stateDir, 'exec-credential.log'), 'utf8');
    assert.ok(log.trim().split('\n').length >= 2, `plugin calls:\n${log}`);
    assert.match(log, /issued token expiring \d{4}-\d\d-\d\dT/);
  });

  void it('kwb-offline fails fast', async () => {
    const r = await kubectl(['get', 'ns', '--request-timeout=10s'], { context: 'kwb-offline' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /connection refused/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });

  void it('/openapi/v3 lists the built-in group-versions and the CRD', async () => {
    const index = JSON.parse(await ok(['get', '--raw', '/openapi/v3'])) as { paths: Record<string, unknown> };
    for (const p of [
      'api/v1',
      'apis/apps/v1',
      'apis/batch/v1',
      'apis/networking.k8s.io/v1',
      'apis/autoscaling/v2',
      'apis/rbac.authorization.k8s.io/v1',
      'apis/apiextensions.k8s.io/v1',
      'apis/demo.kwb.dev/v1',
    ]) {
      assert.ok(p in index.paths, `${p} not in /openapi/v3: ${Object.keys(index.paths).join(', ')}`);
    }
    const doc = JSON.parse(await ok(['get', '--raw', '/openapi/v3/apis/demo.kwb.dev/v1'])) as {
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const widget = doc.components.schemas['dev.kwb.demo.v1.Widget'];
    assert.ok(widget?.properties?.spec, Object.keys(doc.components.schemas).join(', '));
    const apps = JSON.parse(await ok(['get', '--raw', '/openapi/v3/apis/apps/v1'])) as {
      components: { schemas: Record<string, unknown> };
    };
    assert.ok('io.k8s.api.apps.v1.Deployment' in apps.components.schemas);
  });

  void it('the admission webhook refuses objects labelled kwb.dev/reject=true, and only those', async () => {
    const file = join(work, 'webhook.yaml');
    await writeFile(
      file,
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: webhook-allowed\n  namespace: default\ndata: {a: "1"}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: webhook-refused\n  namespace: default\n  labels: {kwb.dev/reject: "true"}\ndata: {a: "1"}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: webhook-label-false\n  namespace: default\n  labels: {kwb.dev/reject: "false"}\n',
      ].join('---\n'),
    );
    const r = await kubectl(['apply', '--server-side', '-f', file]);
    assert.notEqual(r.code, 0, `kubectl apply should fail for the labelled ConfigMap:\n${r.stdout}${r.stderr}`);
    assert.match(
      r.stderr,
      /admission webhook "reject\.kwb\.dev" denied the request: ConfigMap default\/webhook-refused carries the label kwb\.dev\/reject=true/,
    );
    assert.match(
      await ok(['get', 'configmap', 'webhook-allowed', 'webhook-label-false', '-o', 'name']),
      /webhook-allowed/,
    );
    const missing = await kubectl(['get', 'configmap', 'webhook-refused']);
    assert.match(missing.stderr, /NotFound|not found/);
    // An update that adds the label is refused too (operation UPDATE), on any kind.
    const label = await kubectl(['label', 'configmap', 'webhook-allowed', 'kwb.dev/reject=true']);
    assert.notEqual(label.code, 0);
    assert.match(label.stderr, /denied the request: ConfigMap default\/webhook-allowed carries the label/);
    const ns = await kubectl(['create', 'namespace', 'kwb-webhook-test', '--dry-run=server', '-o', 'name']);
    assert.equal(ns.code, 0, ns.stderr);
    const labelledNs = await kubectl(['label', 'namespace', 'team-b', 'kwb.dev/reject=true', '--dry-run=server']);
    assert.match(labelledNs.stderr, /denied the request: Namespace team-b carries the label/);
    await ok(['delete', 'configmap', 'webhook-allowed', 'webhook-label-false']);
  });

  void it('stop leaves no process and no listening port behind', async () => {
    const pids = { ...cluster.pids };
    const ports = { ...cluster.ports };
    assert.ok(Object.keys(pids).length >= 5, JSON.stringify(pids));
    assert.ok(ports.apiserver && (await portOpen(ports.apiserver)));
    await cluster.stop();
    for (const [name, pid] of Object.entries(pids))
      assert.equal(processAlive(pid), false, `${name} (${pid}) still running`);
    for (const [name, port] of Object.entries(ports))
      assert.equal(await portOpen(port), false, `${name} port ${port} still open`);
    assert.equal(existsSync(cluster.stateDir), false, 'state dir removed');
    const exit = await cluster.exited;
    assert.equal(exit.code, 0, exit.stderr);
  });
});

void describe('local cluster: a crashing component', { timeout: 10 * 60 * 1000 }, () => {
  void it('is reported and the rest is stopped, leaving no process or port', async () => {
    const c = await startCluster({ nodes: 1 });
    const pids = { ...c.pids };
    const ports = { ...c.ports };
    assert.ok(pids.scheduler, JSON.stringify(pids));
    process.kill(pids.scheduler, 'SIGKILL');
    const exit = await c.exited;
    assert.equal(exit.code, 1, exit.stderr);
    assert.match(exit.stderr, /component scheduler exited: signal: killed/);
    await c.stop(); // verifies that no process and no port is left
    for (const [name, pid] of Object.entries(pids)) assert.equal(processAlive(pid), false, `${name} still running`);
    for (const [name, port] of Object.entries(ports)) assert.equal(await portOpen(port), false, `${name} port open`);
  });
});
