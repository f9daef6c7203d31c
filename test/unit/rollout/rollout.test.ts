import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  jobFromCronJob,
  labelSelectorOf,
  manualJobName,
  pausePatch,
  podProblem,
  restartPatch,
  revisionsOf,
  rolloutStatus,
  RolloutError,
  setImagePatch,
  undoPlan,
  undoTarget,
} from '../../../src/core/rollout/rollout';
import type { KubeObject } from '../../../src/core/resources/kubeObject';

function template(image: string, hash?: string): Record<string, unknown> {
  return {
    metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: { containers: [{ name: 'nginx', image }] },
  };
}

function deployment(overrides: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'demo',
      uid: 'd-1',
      resourceVersion: '42',
      generation: 3,
      annotations: {
        'deployment.kubernetes.io/revision': '2',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
      },
    },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('nginx:1.28') },
    status: { observedGeneration: 3, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 },
    ...overrides,
  };
}

function replicaSet(revision: number, image: string, owner = 'd-1', cause?: string): KubeObject {
  return {
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${revision}`,
      uid: `rs-${revision}`,
      ownerReferences: [{ uid: owner, kind: 'Deployment', name: 'web' }],
      annotations: {
        'deployment.kubernetes.io/revision': String(revision),
        ...(cause ? { 'kubernetes.io/change-cause': cause } : {}),
      },
    },
    spec: { template: template(image, `h${revision}`) },
  };
}

describe('rollout patches', () => {
  it("restart sets restartedAt on the pod template and refuses a paused deployment with kubectl's words", () => {
    const patch = restartPatch('Deployment', deployment(), new Date('2026-01-02T03:04:05.678Z'));
    assert.deepEqual(patch.body, {
      spec: {
        template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-02T03:04:05Z' } } },
      },
    });
    const paused = deployment({ spec: { ...(deployment().spec as object), paused: true } });
    assert.throws(
      () => restartPatch('Deployment', paused, new Date()),
      (err: Error) =>
        err instanceof RolloutError &&
        err.message === 'deployments.apps "web" can\'t restart paused deployment (run rollout resume first)',
    );
  });

  it('pause and resume say when there is nothing to do, as kubectl does', () => {
    assert.deepEqual(pausePatch('Deployment', deployment(), true).body, { spec: { paused: true } });
    assert.throws(() => pausePatch('Deployment', deployment(), false), /deployments.apps "web" is not paused/);
    assert.throws(() => pausePatch('StatefulSet', deployment(), true), /pausing is not supported/);
  });

  it('set image patches the named container, and refuses an unknown one', () => {
    assert.deepEqual(setImagePatch(deployment(), 'nginx', 'nginx:1.29').body, {
      spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.29' }] } } },
    });
    assert.throws(() => setImagePatch(deployment(), 'sidecar', 'x'), /unable to find container named "sidecar"/);
  });

  it('a manual Job from a CronJob is owned by it and marked manual', () => {
    const cron: KubeObject = {
      kind: 'CronJob',
      metadata: { name: 'report', namespace: 'demo', uid: 'c-1' },
      spec: { jobTemplate: { metadata: { labels: { app: 'report' } }, spec: { template: { spec: {} } } } },
    };
    const name = manualJobName('report', () => 0);
    assert.match(name, /^report-manual-[a-z0-9]{5}$/);
    const job = jobFromCronJob(cron, name);
    const meta = job.metadata as Record<string, unknown>;
    assert.equal((meta.annotations as Record<string, string>)['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual((meta.ownerReferences as { uid: string }[])[0]?.uid, 'c-1');
    assert.deepEqual(meta.labels, { app: 'report' });
  });
});

describe('rollout history and undo', () => {
  const sets = [
    replicaSet(2, 'nginx:1.28', 'd-1', 'image 1.28'),
    replicaSet(1, 'nginx:1.27'),
    replicaSet(9, 'x', 'other'),
  ];

  it('history: the owned ReplicaSets by revision, with change cause, without pod-template-hash', () => {
    const revisions = revisionsOf('Deployment', deployment(), sets);
    assert.deepEqual(
      revisions.map((r) => [r.revision, r.changeCause]),
      [
        [1, undefined],
        [2, 'image 1.28'],
      ],
    );
    assert.deepEqual(revisions[0]?.template, template('nginx:1.27'));
  });

  it('undo to the previous revision is a JSON patch of the template carrying the resourceVersion', () => {
    const revisions = revisionsOf('Deployment', deployment(), sets);
    const plan = undoPlan('Deployment', deployment(), undoTarget('Deployment', deployment(), revisions));
    assert.equal(plan.kind, 'patch');
    if (plan.kind !== 'patch') return;
    assert.equal(plan.revision, 1);
    assert.equal(plan.patch.contentType, 'application/json-patch+json');
    const ops = plan.patch.body as { op: string; path: string; value: unknown }[];
    assert.deepEqual(ops.find((o) => o.path === '/spec/template')?.value, template('nginx:1.27'));
    assert.deepEqual(
      ops.find((o) => o.path === '/metadata/resourceVersion'),
      {
        op: 'replace',
        path: '/metadata/resourceVersion',
        value: '42',
      },
    );
    // Annotations kept from the Deployment (revision, last-applied), none copied over them from the ReplicaSet.
    const annotations = ops.find((o) => o.path === '/metadata/annotations')?.value as Record<string, string>;
    assert.equal(annotations['deployment.kubernetes.io/revision'], '2');
    assert.equal(annotations['kubectl.kubernetes.io/last-applied-configuration'], '{}');
  });

  it('undo says what kubectl says: no history, unknown revision, already there, paused', () => {
    const one = revisionsOf('Deployment', deployment(), [replicaSet(1, 'nginx:1.28')]);
    assert.throws(() => undoTarget('Deployment', deployment(), one), /no rollout history found for deployment "web"/);
    assert.throws(
      () => undoTarget('Deployment', deployment(), one, 7),
      /unable to find specified revision 7 in history/,
    );
    assert.throws(() => undoTarget('DaemonSet', deployment(), one), /no last revision to roll back to/);
    const same = undoPlan('Deployment', deployment(), one[0]!);
    assert.deepEqual(same, {
      kind: 'skip',
      message: 'skipped rollback (current template already matches revision 1)',
    });
    const paused = deployment({ spec: { ...(deployment().spec as object), paused: true } });
    assert.throws(() => undoPlan('Deployment', paused, one[0]!), /you cannot rollback a paused deployment/);
  });

  it('StatefulSet undo applies the ControllerRevision data with a resourceVersion precondition', () => {
    const sts: KubeObject = {
      kind: 'StatefulSet',
      metadata: { name: 'db', uid: 's-1', resourceVersion: '7' },
      spec: { template: template('postgres:17') },
    };
    const revision = (n: number, image: string): KubeObject => ({
      kind: 'ControllerRevision',
      metadata: { name: `db-${n}`, ownerReferences: [{ uid: 's-1' }] },
      revision: n,
      data: { spec: { template: { ...template(image), $patch: 'replace' } } },
    });
    const revisions = revisionsOf('StatefulSet', sts, [revision(2, 'postgres:17'), revision(1, 'postgres:16')]);
    const plan = undoPlan('StatefulSet', sts, undoTarget('StatefulSet', sts, revisions));
    assert.equal(plan.kind, 'patch');
    if (plan.kind !== 'patch') return;
    assert.equal(plan.patch.contentType, 'application/strategic-merge-patch+json');
    const body = plan.patch.body as { metadata: { resourceVersion: string }; spec: { template: { $patch: string } } };
    assert.equal(body.metadata.resourceVersion, '7');
    assert.equal(body.spec.template.$patch, 'replace');
  });
});

describe('rollout status (kubectl rollout status, message for message)', () => {
  const status = (s: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject =>
    deployment({
      metadata: { ...(deployment().metadata as object), ...meta },
      status: { observedGeneration: 3, ...s },
    });

  it('walks through the Deployment states', () => {
    assert.equal(
      rolloutStatus('Deployment', status({ observedGeneration: 2 })).message,
      'Waiting for deployment spec update to be observed...',
    );
    assert.equal(
      rolloutStatus('Deployment', status({ updatedReplicas: 1, replicas: 3 })).message,
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    );
    assert.equal(
      rolloutStatus('Deployment', status({ updatedReplicas: 3, replicas: 4 })).message,
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    );
    assert.equal(
      rolloutStatus('Deployment', status({ updatedReplicas: 3, replicas: 3, availableReplicas: 2 })).message,
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
    );
    const done = rolloutStatus(
      'Deployment',
      status({ updatedReplicas: 3, replicas: 3, availableReplicas: 3, readyReplicas: 3 }),
    );
    assert.deepEqual([done.state, done.message], ['done', 'deployment "web" successfully rolled out']);
    assert.deepEqual(done.progress, { desired: 3, updated: 3, ready: 3, available: 3 });
  });

  it('fails on ProgressDeadlineExceeded', () => {
    const failed = rolloutStatus(
      'Deployment',
      status({
        updatedReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      }),
    );
    assert.deepEqual([failed.state, failed.message], ['failed', 'deployment "web" exceeded its progress deadline']);
  });

  it('a strategy without rollout status says so', () => {
    const ds: KubeObject = {
      kind: 'DaemonSet',
      metadata: { name: 'agent', generation: 1 },
      spec: { updateStrategy: { type: 'OnDelete' } },
      status: { observedGeneration: 1 },
    };
    const s = rolloutStatus('DaemonSet', ds);
    assert.deepEqual(
      [s.state, s.message],
      ['failed', 'rollout status is only available for RollingUpdate strategy type'],
    );
  });

  it('StatefulSet: ready pods, then the revision', () => {
    const sts = (s: Record<string, unknown>): KubeObject => ({
      kind: 'StatefulSet',
      metadata: { name: 'db', generation: 2 },
      spec: { replicas: 2, updateStrategy: { type: 'RollingUpdate' } },
      status: { observedGeneration: 2, ...s },
    });
    assert.equal(rolloutStatus('StatefulSet', sts({ readyReplicas: 1 })).message, 'Waiting for 1 pods to be ready...');
    assert.equal(
      rolloutStatus(
        'StatefulSet',
        sts({ readyReplicas: 2, currentRevision: 'a', updateRevision: 'b', updatedReplicas: 1 }),
      ).message,
      'waiting for statefulset rolling update to complete 1 pods at revision b...',
    );
    const done = rolloutStatus(
      'StatefulSet',
      sts({ readyReplicas: 2, currentRevision: 'b', updateRevision: 'b', currentReplicas: 2 }),
    );
    assert.deepEqual(
      [done.state, done.message],
      ['done', 'statefulset rolling update complete 2 pods at revision b...'],
    );
  });
});

describe('pods', () => {
  it('selectors and pod problems', () => {
    assert.equal(
      labelSelectorOf({
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }],
      }),
      'app=web,tier in (a,b)',
    );
    const pod: KubeObject = {
      status: {
        phase: 'Pending',
        containerStatuses: [
          { name: 'nginx', state: { waiting: { reason: 'ImagePullBackOff', message: 'no such image' } } },
        ],
      },
    };
    assert.equal(podProblem(pod), 'nginx: ImagePullBackOff (no such image)');
    assert.equal(
      podProblem({ status: { phase: 'Running', containerStatuses: [{ state: { running: {} } }] } }),
      undefined,
    );
  });
});
