import type { KubeObject } from './kubeObject';
import { asRecord, asRecords, type JsonRecord } from '../common/json';

/**
 * A compact `kubectl describe`: the fields people look for first, conditions and events, as plain text.
 * Pure: the caller fetches the object and its events. Secret values are never shown, only their sizes.
 */

export interface EventLike {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  series?: { count?: number; lastObservedTime?: string };
  metadata?: { creationTimestamp?: string };
}

function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** "5m", "3h", "2d": the age of a timestamp, as kubectl prints it. */
export function age(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '-';
  const then = Date.parse(timestamp);
  if (Number.isNaN(then)) return '-';
  const s = Math.max(0, Math.floor((now - then) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: string[], rows: string[][], indent = '  '): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map(
    (r) =>
      indent +
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(14)}${value}`;
}

function pairs(map: unknown, skip: string[] = []): string {
  const entries = Object.entries(asRecord(map)).filter(([k]) => !skip.includes(k));
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${oneLine(str(v), 80)}`).join('\n' + ' '.repeat(14));
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function describeObject(
  obj: KubeObject,
  events: EventLike[] | { error: string },
  context: { context: string; now: number },
): string {
  const metadata = asRecord(obj.metadata);
  const spec = asRecord(obj.spec);
  const status = asRecord(obj.status);
  const out: string[] = [];
  out.push(field('Name', str(metadata.name)));
  if (metadata.namespace) out.push(field('Namespace', str(metadata.namespace)));
  out.push(field('Kind', `${str(obj.kind)} (${str(obj.apiVersion)})`));
  out.push(field('Context', context.context));
  const created = str(metadata.creationTimestamp);
  if (created) out.push(field('Created', `${created} (${age(created, context.now)} ago)`));
  if (metadata.deletionTimestamp) out.push(field('Deleting', `since ${str(metadata.deletionTimestamp)}`));
  out.push(field('Labels', pairs(metadata.labels)));
  out.push(field('Annotations', pairs(metadata.annotations, ['kubectl.kubernetes.io/last-applied-configuration'])));
  const owners = asRecords(metadata.ownerReferences);
  if (owners.length > 0) {
    out.push(
      field(
        'Controlled By',
        owners.map((o) => `${str(o.kind)}/${str(o.name)}${o.controller === true ? '' : ' (owner)'}`).join(', '),
      ),
    );
  }
  const finalizers = Array.isArray(metadata.finalizers) ? metadata.finalizers.map(str) : [];
  if (finalizers.length > 0) out.push(field('Finalizers', finalizers.join(', ')));

  out.push(...kindSpecific(obj, spec, status, context.now));

  const conditions = asRecords(status.conditions);
  if (conditions.length > 0) {
    out.push('', 'Conditions:');
    out.push(
      ...table(
        ['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'],
        conditions.map((c) => [
          str(c.type),
          str(c.status),
          str(c.reason) || '-',
          age(str(c.lastTransitionTime) || str(c.lastUpdateTime), context.now),
          oneLine(str(c.message), 200),
        ]),
      ),
    );
  }

  out.push('', 'Events:');
  if ('error' in events) {
    out.push(`  could not be read: ${events.error}`);
  } else if (events.length === 0) {
    out.push('  <none>');
  } else {
    const sorted = [...events].sort((a, b) => (lastSeen(a) ?? '').localeCompare(lastSeen(b) ?? ''));
    out.push(
      ...table(
        ['TYPE', 'REASON', 'AGE', 'FROM', 'MESSAGE'],
        sorted.map((e) => {
          const count = e.series?.count ?? e.count ?? 1;
          const first = e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
          const when =
            count > 1
              ? `${age(lastSeen(e), context.now)} (x${count} over ${age(first, context.now)})`
              : age(lastSeen(e), context.now);
          return [
            e.type ?? '',
            e.reason ?? '',
            when,
            e.source?.component || e.reportingComponent || '-',
            oneLine(e.message ?? '', 300),
          ];
        }),
      ),
    );
  }
  return out.join('\n') + '\n';
}

function lastSeen(e: EventLike): string | undefined {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? undefined;
}

function kindSpecific(obj: KubeObject, spec: JsonRecord, status: JsonRecord, now: number): string[] {
  const out: string[] = [];
  switch (obj.kind) {
    case 'Pod': {
      out.push(field('Status', str(status.phase) || '-'));
      out.push(field('Node', str(spec.nodeName) || '<none>'));
      out.push(field('IP', str(status.podIP) || '<none>'));
      if (status.qosClass) out.push(field('QoS Class', str(status.qosClass)));
      const statuses = new Map(asRecords(status.containerStatuses).map((c) => [str(c.name), c]));
      const containers = [...asRecords(spec.initContainers), ...asRecords(spec.containers)];
      if (containers.length > 0) {
        out.push('', 'Containers:');
        out.push(
          ...table(
            ['NAME', 'IMAGE', 'STATE', 'READY', 'RESTARTS'],
            containers.map((c) => {
              const s = statuses.get(str(c.name)) ?? {};
              const state = asRecord(s.state);
              const [stateName] = Object.keys(state);
              const reason = str(asRecord(state[stateName ?? '']).reason);
              return [
                str(c.name),
                str(c.image),
                stateName ? `${stateName}${reason ? ` (${reason})` : ''}` : '-',
                s.ready === true ? 'true' : 'false',
                str(s.restartCount) || '0',
              ];
            }),
          ),
        );
      }
      break;
    }
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet': {
      const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
      out.push(
        field(
          'Replicas',
          `${desired} desired | ${str(status.updatedReplicas) || '0'} updated | ${str(status.readyReplicas) || '0'} ready | ${str(status.availableReplicas) || '0'} available`,
        ),
      );
      out.push(field('Selector', pairs(asRecord(spec.selector).matchLabels)));
      const strategy = asRecord(spec.strategy ?? spec.updateStrategy);
      if (strategy.type) out.push(field('Strategy', str(strategy.type)));
      if (spec.paused === true) out.push(field('Paused', 'true'));
      out.push(...images(spec));
      break;
    }
    case 'DaemonSet': {
      out.push(
        field(
          'Pods',
          `${str(status.desiredNumberScheduled) || '0'} desired | ${str(status.currentNumberScheduled) || '0'} current | ${str(status.numberReady) || '0'} ready`,
        ),
      );
      out.push(...images(spec));
      break;
    }
    case 'Job': {
      out.push(
        field(
          'Pods',
          `${str(status.active) || '0'} active | ${str(status.succeeded) || '0'} succeeded | ${str(status.failed) || '0'} failed`,
        ),
      );
      if (status.completionTime) out.push(field('Completed', `${age(str(status.completionTime), now)} ago`));
      out.push(...images(spec));
      break;
    }
    case 'CronJob': {
      out.push(field('Schedule', str(spec.schedule)));
      out.push(field('Suspended', spec.suspend === true ? 'true' : 'false'));
      out.push(field('Last Run', status.lastScheduleTime ? `${age(str(status.lastScheduleTime), now)} ago` : '<none>'));
      break;
    }
    case 'Service': {
      out.push(field('Type', str(spec.type) || 'ClusterIP'));
      out.push(field('Cluster IP', str(spec.clusterIP) || '<none>'));
      out.push(field('Selector', pairs(spec.selector)));
      const ports = asRecords(spec.ports).map(
        (p) =>
          `${p.name ? `${str(p.name)} ` : ''}${str(p.port)}/${str(p.protocol) || 'TCP'} → ${str(p.targetPort) || str(p.port)}${p.nodePort ? ` (node ${str(p.nodePort)})` : ''}`,
      );
      out.push(field('Ports', ports.length > 0 ? ports.join('\n' + ' '.repeat(14)) : '<none>'));
      break;
    }
    case 'ConfigMap': {
      out.push('', 'Data:');
      const data = Object.entries(asRecord(obj.data)).map(([k, v]) => [k, `${Buffer.byteLength(str(v))} bytes`]);
      const binary = Object.entries(asRecord(obj.binaryData)).map(([k, v]) => [
        k,
        `${Buffer.from(str(v), 'base64').length} bytes (binary)`,
      ]);
      const rows = [...data, ...binary];
      out.push(...(rows.length > 0 ? table(['KEY', 'SIZE'], rows) : ['  <none>']));
      break;
    }
    case 'Secret': {
      out.push(field('Type', str(obj.type) || 'Opaque'));
      out.push('', 'Data:');
      const rows = Object.entries(asRecord(obj.data)).map(([k, v]) => [
        k,
        `${Buffer.from(str(v), 'base64').length} bytes`,
      ]);
      out.push(...(rows.length > 0 ? table(['KEY', 'SIZE'], rows) : ['  <none>']));
      break;
    }
    case 'Node': {
      const info = asRecord(status.nodeInfo);
      out.push(field('Kubelet', str(info.kubeletVersion) || '-'));
      out.push(field('OS', [str(info.osImage), str(info.architecture)].filter(Boolean).join(' ') || '-'));
      out.push(
        field(
          'Addresses',
          asRecords(status.addresses)
            .map((a) => `${str(a.type)}=${str(a.address)}`)
            .join(', ') || '<none>',
        ),
      );
      out.push(field('Capacity', pairs(status.capacity)));
      if (spec.unschedulable === true) out.push(field('Unschedulable', 'true'));
      break;
    }
    case 'Namespace':
      out.push(field('Status', str(status.phase) || '-'));
      break;
    case 'PersistentVolumeClaim':
      out.push(field('Status', str(status.phase) || '-'));
      out.push(field('Volume', str(spec.volumeName) || '<none>'));
      out.push(field('Capacity', pairs(status.capacity)));
      break;
    default:
      if (typeof status.phase === 'string') out.push(field('Status', status.phase));
  }
  return out;
}

function images(spec: JsonRecord): string[] {
  const podSpec = asRecord(asRecord(spec.template).spec);
  const containers = asRecords(podSpec.containers);
  if (containers.length === 0) return [];
  return [field('Images', containers.map((c) => `${str(c.name)}: ${str(c.image)}`).join('\n' + ' '.repeat(14)))];
}
