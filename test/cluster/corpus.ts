/**
 * A corpus of manifests for the agreement test (corpus.test.ts): real-world shapes of the built-in kinds, with the
 * embedded objects that share a schema with a top-level kind (pod templates, claim templates, job templates,
 * ephemeral volumes, CRD validation schemas), each valid and broken in the ways users break them: a field that does
 * not exist, a value of the wrong type, a required field missing, a value outside an enum.
 */
import { stringify } from 'yaml';

export interface CorpusEntry {
  /** What it is, for the report: `StatefulSet/claim-templates-without-kind`. */
  readonly name: string;
  readonly kind: string;
  readonly text: string;
  /** What the author meant: valid, or which mistake it carries. */
  readonly intent: 'valid' | 'unknown-field' | 'wrong-type' | 'missing-required' | 'bad-enum';
}

export const CORPUS_NAMESPACE = 'kwb-corpus';

type Obj = Record<string, unknown>;

const container = (name: string, extra: Obj = {}): Obj => ({
  name,
  image: `registry.example.com/${name}:1.2.3`,
  ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  ...extra,
});

const podSpec = (app: string, extra: Obj = {}): Obj => ({
  containers: [
    container(app, {
      env: [{ name: 'MODE', value: 'prod' }],
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
    }),
  ],
  securityContext: { runAsNonRoot: true, runAsUser: 1000 },
  ...extra,
});

const template = (app: string, extra: Obj = {}): Obj => ({
  metadata: { labels: { app } },
  spec: podSpec(app, extra),
});

const claim = (name: string, withTypeMeta: boolean): Obj => ({
  ...(withTypeMeta ? { apiVersion: 'v1', kind: 'PersistentVolumeClaim' } : {}),
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

/** The valid objects, by kind; each is then also broken in several ways below. */
function validObjects(): { name: string; kind: string; object: Obj }[] {
  const ns = CORPUS_NAMESPACE;
  const meta = (name: string, namespaced = true): Obj => ({
    name,
    ...(namespaced ? { namespace: ns } : {}),
    labels: { 'app.kubernetes.io/name': name, team: 'corpus' },
  });
  const out: { name: string; kind: string; object: Obj }[] = [];
  const add = (name: string, apiVersion: string, kind: string, object: Obj): void => {
    out.push({ name: `${kind}/${name}`, kind, object: { apiVersion, kind, ...object } });
  };
  for (const [i, strategy] of [
    { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    { type: 'Recreate' },
  ].entries()) {
    add(`web-${i}`, 'apps/v1', 'Deployment', {
      metadata: meta(`web-${i}`),
      spec: { replicas: 2, selector: { matchLabels: { app: `web-${i}` } }, strategy, template: template(`web-${i}`) },
    });
  }
  add('claim-templates-without-kind', 'apps/v1', 'StatefulSet', {
    metadata: meta('db-a'),
    spec: {
      serviceName: 'db-a',
      replicas: 1,
      selector: { matchLabels: { app: 'db-a' } },
      template: template('db-a'),
      volumeClaimTemplates: [claim('data', false)],
    },
  });
  add('claim-templates-with-kind', 'apps/v1', 'StatefulSet', {
    metadata: meta('db-b'),
    spec: {
      serviceName: 'db-b',
      selector: { matchLabels: { app: 'db-b' } },
      template: template('db-b'),
      volumeClaimTemplates: [claim('data', true), claim('logs', false)],
    },
  });
  add('agent', 'apps/v1', 'DaemonSet', {
    metadata: meta('agent'),
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate' },
      template: template('agent', { tolerations: [{ operator: 'Exists' }], hostNetwork: false }),
    },
  });
  add('rs', 'apps/v1', 'ReplicaSet', {
    metadata: meta('rs'),
    spec: { replicas: 1, selector: { matchLabels: { app: 'rs' } }, template: template('rs') },
  });
  add('migrate', 'batch/v1', 'Job', {
    metadata: meta('migrate'),
    spec: { backoffLimit: 2, template: template('migrate', { restartPolicy: 'Never' }) },
  });
  add('report', 'batch/v1', 'CronJob', {
    metadata: meta('report'),
    spec: {
      schedule: '*/15 * * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        metadata: { labels: { app: 'report' } },
        spec: { template: template('report', { restartPolicy: 'OnFailure' }) },
      },
    },
  });
  add('ephemeral-volume', 'v1', 'Pod', {
    metadata: meta('scratch'),
    spec: podSpec('scratch', {
      volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: claim('x', false).spec } } }],
    }),
  });
  add('standalone', 'v1', 'Pod', {
    metadata: meta('standalone'),
    spec: podSpec('standalone', { restartPolicy: 'Always' }),
  });
  add('pod-template', 'v1', 'PodTemplate', { metadata: meta('tpl'), template: template('tpl') });
  add('web', 'v1', 'Service', {
    metadata: meta('web'),
    spec: {
      selector: { app: 'web-0' },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      type: 'ClusterIP',
    },
  });
  add('settings', 'v1', 'ConfigMap', { metadata: meta('settings'), data: { 'app.yaml': 'a: 1\n', level: 'debug' } });
  add('token', 'v1', 'Secret', { metadata: meta('token'), type: 'Opaque', stringData: { token: 's3cr3t' } });
  add('runner', 'v1', 'ServiceAccount', { metadata: meta('runner'), automountServiceAccountToken: false });
  add('data', 'v1', 'PersistentVolumeClaim', { metadata: meta('data'), spec: claim('data', false).spec });
  add('quota', 'v1', 'ResourceQuota', {
    metadata: meta('quota'),
    spec: { hard: { pods: '50', 'requests.cpu': '10' } },
  });
  add('limits', 'v1', 'LimitRange', {
    metadata: meta('limits'),
    spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }] },
  });
  add('reader', 'rbac.authorization.k8s.io/v1', 'Role', {
    metadata: meta('reader'),
    rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] }],
  });
  add('reader', 'rbac.authorization.k8s.io/v1', 'RoleBinding', {
    metadata: meta('reader'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'runner', namespace: ns }],
  });
  add('corpus-viewer', 'rbac.authorization.k8s.io/v1', 'ClusterRole', {
    metadata: meta('corpus-viewer', false),
    rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }],
  });
  add('corpus-viewer', 'rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', {
    metadata: meta('corpus-viewer', false),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'corpus-viewer' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
  });
  add('web', 'networking.k8s.io/v1', 'Ingress', {
    metadata: meta('web'),
    spec: {
      rules: [
        {
          host: 'web.example.com',
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
          },
        },
      ],
    },
  });
  add('deny-all', 'networking.k8s.io/v1', 'NetworkPolicy', {
    metadata: meta('deny-all'),
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  add('web', 'autoscaling/v2', 'HorizontalPodAutoscaler', {
    metadata: meta('web'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-0' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    },
  });
  add('web', 'policy/v1', 'PodDisruptionBudget', {
    metadata: meta('web'),
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'web-0' } } },
  });
  add('fast', 'storage.k8s.io/v1', 'StorageClass', {
    metadata: meta('corpus-fast', false),
    provisioner: 'example.com/fast',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  add('corpus-pv', 'v1', 'PersistentVolume', {
    metadata: meta('corpus-pv', false),
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: '/tmp/corpus' },
      persistentVolumeReclaimPolicy: 'Retain',
    },
  });
  add('corpus-ns', 'v1', 'Namespace', { metadata: meta('corpus-other', false) });
  add('corpus-high', 'scheduling.k8s.io/v1', 'PriorityClass', {
    metadata: meta('corpus-high', false),
    value: 1000,
    globalDefault: false,
  });
  add('widgets', 'apiextensions.k8s.io/v1', 'CustomResourceDefinition', {
    metadata: meta('widgets.corpus.example.com', false),
    spec: {
      group: 'corpus.example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                // A validation schema may describe apiVersion and kind itself, like any object.
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                spec: {
                  type: 'object',
                  properties: {
                    size: { type: 'integer', minimum: 1 },
                    colour: { type: 'string', enum: ['red', 'blue'] },
                  },
                },
              },
            },
          },
        },
      ],
    },
  });
  return out;
}

/** The spec (or the object itself) where a broken field is put. */
function target(object: Obj): Obj {
  const spec = object.spec as Obj | undefined;
  return spec ?? object;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Each valid object, plus its broken variants. */
export function corpus(): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  const push = (name: string, kind: string, intent: CorpusEntry['intent'], object: Obj): void => {
    entries.push({ name, kind, intent, text: toYaml(object) });
  };
  for (const { name, kind, object } of validObjects()) {
    push(name, kind, 'valid', object);
    // A field that does not exist, in the spec (or top level): Strict field validation rejects it.
    const unknown = clone(object);
    target(unknown).bogusFieldThatDoesNotExist = 'x';
    push(`${name}/unknown-field`, kind, 'unknown-field', unknown);
    // A label that is a number: labels are strings.
    const badLabel = clone(object);
    ((badLabel.metadata as Obj).labels as Obj).team = 42;
    push(`${name}/label-not-a-string`, kind, 'wrong-type', badLabel);
    const badAnnotation = clone(object);
    (badAnnotation.metadata as Obj).annotations = { 'example.com/retries': 3 };
    push(`${name}/annotation-not-a-string`, kind, 'wrong-type', badAnnotation);
    const metadataTypo = clone(object);
    (metadataTypo.metadata as Obj).label = { team: 'corpus' };
    push(`${name}/metadata-field-typo`, kind, 'unknown-field', metadataTypo);
    const pod = podSpecOf(object);
    if (pod) {
      const replicas = clone(object);
      const spec = target(replicas);
      if ('replicas' in spec) {
        spec.replicas = 'three';
        push(`${name}/replicas-a-string`, kind, 'wrong-type', replicas);
      }
      const noName = clone(object);
      delete ((podSpecOf(noName)!.containers as Obj[])[0] as Obj).name;
      push(`${name}/container-without-name`, kind, 'missing-required', noName);
      const badPort = clone(object);
      (((podSpecOf(badPort)!.containers as Obj[])[0] as Obj).ports as Obj[])[0]!.containerPort = 'http';
      push(`${name}/port-a-string`, kind, 'wrong-type', badPort);
      const badPolicy = clone(object);
      ((podSpecOf(badPolicy)!.containers as Obj[])[0] as Obj).imagePullPolicy = 'Sometimes';
      push(`${name}/pull-policy-not-in-enum`, kind, 'bad-enum', badPolicy);
      const typo = clone(object);
      ((podSpecOf(typo)!.containers as Obj[])[0] as Obj).imagePulPolicy = 'Always';
      push(`${name}/container-field-typo`, kind, 'unknown-field', typo);
    }
  }
  return entries;
}

function podSpecOf(object: Obj): Obj | undefined {
  const spec = object.spec as Obj | undefined;
  if (object.kind === 'Pod') return spec;
  if (object.kind === 'PodTemplate') return (object.template as Obj).spec as Obj;
  if (object.kind === 'CronJob') return (((spec?.jobTemplate as Obj).spec as Obj).template as Obj).spec as Obj;
  const tpl = spec?.template as Obj | undefined;
  return tpl?.spec as Obj | undefined;
}

function toYaml(object: Obj): string {
  return stringify(object, { lineWidth: 0 });
}
