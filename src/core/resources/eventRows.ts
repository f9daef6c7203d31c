import type { KubeObject } from './kubeObject';
import type { Row } from './rows';

/** One core/v1 Event as the timeline keeps it: a few strings, not the object. */
export interface EventRow extends Row {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  /** When it last happened (series, lastTimestamp, eventTime or creation, whichever the event has). */
  readonly at: string;
  /** `Kind/name` of the object it is about. */
  readonly object: string;
  readonly count: number;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function toEventRow(obj: KubeObject): EventRow | undefined {
  const e = obj as KubeObject & {
    type?: unknown;
    reason?: unknown;
    message?: unknown;
    count?: unknown;
    lastTimestamp?: unknown;
    eventTime?: unknown;
    series?: { count?: unknown; lastObservedTime?: unknown };
    involvedObject?: { kind?: unknown; name?: unknown };
  };
  const meta = e.metadata;
  if (!meta?.uid || !meta.name) return undefined;
  const at =
    text(e.series?.lastObservedTime) || text(e.lastTimestamp) || text(e.eventTime) || text(meta.creationTimestamp);
  const count = typeof e.series?.count === 'number' ? e.series.count : typeof e.count === 'number' ? e.count : 1;
  return {
    uid: meta.uid,
    name: meta.name,
    namespace: meta.namespace,
    type: text(e.type) || 'Normal',
    reason: text(e.reason),
    // Event text comes from any controller: no control characters reach the document.
    message: text(e.message)
      .replace(CONTROL, ' ')
      .replace(/\s*\n\s*/g, ' '),
    at,
    object: `${text(e.involvedObject?.kind)}/${text(e.involvedObject?.name)}`,
    count,
  };
}

const newestFirst = (a: EventRow, b: EventRow): number =>
  b.at.localeCompare(a.at) || a.object.localeCompare(b.object) || a.name.localeCompare(b.name);

function line(e: EventRow): string {
  const when = e.at ? e.at.replace('T', ' ').replace(/(\.\d+)?Z$/, 'Z') : '(no time)';
  return `${when}  ${e.type.padEnd(7)}  ${e.reason}  ${e.object}  ${e.message}${e.count > 1 ? `  (×${e.count})` : ''}`;
}

/**
 * The events timeline as text: a header, the warnings (newest first), then every event (newest first), each
 * section cut at `maxLines` with the count left out.
 */
export function eventsTimelineText(
  title: string,
  rows: readonly EventRow[],
  state: { syncing: boolean; error?: string },
  maxLines = 2_000,
): string {
  const sorted = [...rows].sort(newestFirst);
  const warnings = sorted.filter((e) => e.type === 'Warning');
  const section = (heading: string, events: readonly EventRow[]): string[] => {
    const lines = [heading, ...events.slice(0, maxLines).map(line)];
    if (events.length === 0) lines.push('  (none)');
    if (events.length > maxLines) lines.push(`  … ${events.length - maxLines} older not shown`);
    return lines;
  };
  const status = state.error
    ? `not live: ${state.error}`
    : state.syncing
      ? 'listing…'
      : `live · ${rows.length} event${rows.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  return [
    `${title} (${status})`,
    '',
    ...section('WARNINGS, newest first', warnings),
    '',
    ...section('ALL EVENTS, newest first', sorted),
    '',
  ].join('\n');
}
