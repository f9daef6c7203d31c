import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { RequestOptions } from '../../../src/core/kube/clusterClient';
import { toKubeError } from '../../../src/core/kube/errors';
import type { JsonTransport } from '../../../src/core/kube/transport';
import type { KubeObject } from '../../../src/core/resources/kubeObject';
import { podPortFor, portsOf, PortForwardSession, selectorOf } from '../../../src/core/portforward/portForward';

const service: KubeObject = {
  kind: 'Service',
  spec: {
    selector: { app: 'web' },
    ports: [
      { name: 'http', port: 80, targetPort: 'http' },
      { port: 53, protocol: 'UDP' },
    ],
  },
};

function pod(name: string, ready = true): KubeObject {
  return {
    metadata: { name },
    spec: { containers: [{ name: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('port-forward targets', () => {
  it('offers named TCP ports and resolves a named targetPort on the pod', () => {
    assert.deepEqual(portsOf('Service', service), [{ port: 80, name: 'http', protocol: 'TCP', targetPort: 'http' }]);
    assert.equal(podPortFor('Service', service, 80, pod('web-1')), 8080);
    assert.equal(selectorOf('Service', service), 'app=web');
    assert.deepEqual(portsOf('Pod', pod('web-1')), [{ port: 8080, name: 'http', protocol: 'TCP' }]);
  });
});

/** The pods of a Deployment, changeable between connections. */
class Pods implements JsonTransport {
  items = [pod('web-1')];
  getJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
    void options;
    if (path.endsWith('/deployments/web')) {
      return Promise.resolve({ spec: { selector: { matchLabels: { app: 'web' } } } } as T);
    }
    if (path.endsWith('/pods')) return Promise.resolve({ items: this.items } as T);
    const name = decodeURIComponent(path.split('/').pop() ?? '');
    const found = this.items.find((p) => (p.metadata as { name: string }).name === name);
    return found ? Promise.resolve(found as T) : Promise.reject(toKubeError({ code: 404, body: '{}' }, 'reading'));
  }
}

function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.on('data', (d) => {
      got += d.toString();
      socket.end();
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

describe('PortForwardSession', () => {
  it('pipes each connection over the channel protocol, and moves to a new pod when the old one is gone', async () => {
    // A stand-in for the API server's portforward stream: port number first on both channels, then an echo
    // that names the pod.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    const wsPort = (wss.address() as net.AddressInfo).port;
    wss.on('connection', (ws, req) => {
      const podName = /pods\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '?';
      const portBytes = Buffer.from([0x90, 0x1f]);
      ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
      ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
      ws.on('message', (data: Buffer) => {
        assert.equal(data[0], 0);
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(`${podName}:${data.subarray(1).toString()}`)]));
      });
    });
    const pods = new Pods();
    const opened: string[] = [];
    const session = new PortForwardSession(
      'pf-1',
      { context: 'c', namespace: 'demo', kind: 'Deployment', name: 'web' },
      8080,
      pods,
      (_ns, podName, port, onMessage) => {
        opened.push(`${podName}:${port}`);
        const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/pods/${podName}/portforward`);
        ws.on('message', onMessage);
        return new Promise((resolve, reject) => {
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        });
      },
      { info: () => undefined, warn: () => undefined },
      0,
    );
    try {
      await session.start(0);
      assert.ok(session.localPort > 0);
      assert.equal(await exchange(session.localPort, 'ping'), 'web-1:ping');
      pods.items = [pod('web-2')];
      assert.equal(await exchange(session.localPort, 'pong'), 'web-2:pong');
      assert.equal(session.state.pod, 'web-2');
      assert.deepEqual(opened, ['web-1:8080', 'web-2:8080']);
      pods.items = [];
      assert.equal(await exchange(session.localPort, 'nobody'), '', 'no Ready pod: the connection is closed');
      assert.match(session.state.error ?? '', /none of its pods is Ready \(selector app=web\)/);
    } finally {
      session.dispose();
      wss.close();
    }
    await assert.rejects(exchange(session.localPort, 'x'), /ECONNREFUSED/);
  });
});
