import * as vscode from 'vscode';
import { toKubeError } from '../../core/kube/errors';
import { getObject } from '../../core/objects/objectApi';
import { eventsTimelineText, toEventRow, type EventRow } from '../../core/resources/eventRows';
import { collectionOf, describeRef, type ObjectRef } from '../../core/resources/objectRef';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { WatchedList } from '../../core/watch/watchedList';
import { DocumentSchemes } from '../ids';
import type { OutputLogger } from '../log';
import type { Node } from '../views/nodes';
import { objectTargetOf } from '../views/targets';

/** What a timeline shows: the events of a namespace (or all), or of one object (by uid). */
interface TimelineSpec {
  readonly context: string;
  readonly namespace: string | undefined;
  readonly object?: { ref: ObjectRef; uid: string };
  readonly title: string;
}

interface OpenTimeline {
  readonly spec: TimelineSpec;
  readonly list: WatchedList<EventRow>;
  timer?: NodeJS.Timeout;
}

/**
 * Live events timelines (right-click a namespace, All namespaces, or any object): a read-only text document kept
 * current by a watch of the events, warnings first, then every event, newest first. The watch stops when the
 * document is closed.
 */
export class EventsTimeline implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly open = new Map<string, OpenTimeline>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly log: OutputLogger,
  ) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(DocumentSchemes.events, this),
      vscode.workspace.onDidCloseTextDocument((doc) => this.close(doc.uri)),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const timeline = this.open.get(uri.toString());
    if (!timeline) return 'This events timeline was closed; open it again from the Clusters view.\n';
    const snap = timeline.list.snapshot();
    return eventsTimelineText(timeline.spec.title, snap.items, {
      syncing: snap.state === 'syncing' || snap.state === 'idle',
      error: snap.state === 'failed' || snap.state === 'retrying' ? snap.error?.message : undefined,
    });
  }

  /** Opens (or shows again) the timeline of a tree node or `{ context, namespace }` / `{ context, kind, … }`. */
  async show(arg: unknown): Promise<vscode.TextEditor> {
    const spec = await this.specOf(arg);
    const uri = vscode.Uri.from({
      scheme: DocumentSchemes.events,
      path: `/${[
        spec.context,
        spec.namespace ?? '_all',
        ...(spec.object ? [spec.object.ref.kind ?? '', spec.object.ref.name] : []),
      ]
        .map(encodeURIComponent)
        .join('/')}.events.txt`,
      query: spec.object ? `uid=${encodeURIComponent(spec.object.uid)}` : '',
    });
    if (!this.open.has(uri.toString())) this.start(uri, spec);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: false });
  }

  private start(uri: vscode.Uri, spec: TimelineSpec): void {
    const session = this.sessions.get(spec.context);
    const list = new WatchedList<EventRow>(
      session.client,
      collectionOf('Event', spec.object ? spec.object.ref.namespace : spec.namespace),
      toEventRow,
      `events ${spec.object ? `of ${describeRef(spec.object.ref)}` : `in ${spec.namespace ?? 'all namespaces'}`} on ${spec.context}`,
      { log: this.log, fieldSelector: spec.object ? `involvedObject.uid=${spec.object.uid}` : undefined },
    );
    const timeline: OpenTimeline = { spec, list };
    this.open.set(uri.toString(), timeline);
    // Bursts of events (a rollout) repaint the document once.
    list.onDidChange(() => {
      timeline.timer ??= setTimeout(() => {
        timeline.timer = undefined;
        this.changed.fire(uri);
      }, 250);
    });
    list.start();
  }

  private close(uri: vscode.Uri): void {
    const timeline = this.open.get(uri.toString());
    if (!timeline) return;
    clearTimeout(timeline.timer);
    timeline.list.dispose();
    this.open.delete(uri.toString());
  }

  private async specOf(arg: unknown): Promise<TimelineSpec> {
    const node = arg as Node | undefined;
    if (node?.type === 'scope' && node.scope.kind !== 'cluster') {
      const namespace = node.scope.kind === 'namespace' ? node.scope.namespace : undefined;
      return { context: node.context, namespace, title: timelineTitle(node.context, namespace) };
    }
    const target = objectTargetOf(arg);
    if (target) {
      const { ref } = target;
      // A Namespace's own timeline is the timeline of what happens in it.
      if (ref.kind === 'Namespace') {
        return { context: ref.context, namespace: ref.name, title: timelineTitle(ref.context, ref.name) };
      }
      let uid = target.uid;
      if (!uid) {
        try {
          uid = (await getObject(this.sessions.get(ref.context).client, ref)).metadata?.uid;
        } catch (err) {
          throw toKubeError(err, `reading ${describeRef(ref)}`);
        }
      }
      if (!uid) throw new Error(`${describeRef(ref)} has no uid`);
      return {
        context: ref.context,
        namespace: ref.namespace,
        object: { ref, uid },
        title: `Events of ${describeRef(ref)}`,
      };
    }
    const plain = arg as { context?: unknown; namespace?: unknown } | undefined;
    if (typeof plain?.context === 'string') {
      const namespace = typeof plain.namespace === 'string' ? plain.namespace : undefined;
      return { context: plain.context, namespace, title: timelineTitle(plain.context, namespace) };
    }
    throw new Error('Choose a namespace or an object in the Clusters view first');
  }

  dispose(): void {
    for (const timeline of this.open.values()) {
      clearTimeout(timeline.timer);
      timeline.list.dispose();
    }
    this.open.clear();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function timelineTitle(context: string, namespace: string | undefined): string {
  return `Events in ${namespace ? `namespace ${namespace}` : 'all namespaces'} on ${context}`;
}
