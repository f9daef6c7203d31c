import { Emitter, type Event } from '../common/event';
import type { Logger } from '../common/logger';
import type { ClusterClient } from './clusterClient';
import { toKubeError } from './errors';

export interface AccessQuestion {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly subresource?: string;
}

export interface AccessAnswer {
  readonly allowed: boolean;
  /** Why not, in words a user can act on. */
  readonly reason?: string;
}

interface ReviewResponse {
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

function keyOf(q: AccessQuestion): string {
  return `${q.verb}|${q.group}|${q.resource}|${q.subresource ?? ''}|${q.namespace ?? ''}`;
}

/**
 * Asks the cluster what the user may do (SelfSubjectAccessReview), one question per verb, resource and
 * namespace, cached for a few minutes per context. The tree asks synchronously with `peek` and is told when
 * an answer arrives; commands `check` before acting. An unanswerable question (the review API itself is
 * forbidden or down) counts as allowed: the server still decides, and its 403 is shown then.
 */
export class AccessReviewer {
  private readonly answers = new Map<string, { answer: AccessAnswer; at: number }>();
  private readonly pending = new Map<string, Promise<AccessAnswer>>();
  private readonly answered = new Emitter<AccessQuestion>();
  readonly onDidAnswer: Event<AccessQuestion> = this.answered.event;

  constructor(
    private readonly client: Pick<ClusterClient, 'request'>,
    private readonly context: string,
    private readonly log: Logger,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached answer, or undefined (and a review is started) when none is known yet. */
  peek(q: AccessQuestion): AccessAnswer | undefined {
    const cached = this.answers.get(keyOf(q));
    if (cached && this.now() - cached.at < this.ttlMs) return cached.answer;
    void this.check(q);
    return cached?.answer;
  }

  check(q: AccessQuestion): Promise<AccessAnswer> {
    const key = keyOf(q);
    const cached = this.answers.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return Promise.resolve(cached.answer);
    let running = this.pending.get(key);
    if (!running) {
      running = this.review(q).finally(() => this.pending.delete(key));
      this.pending.set(key, running);
    }
    return running;
  }

  private async review(q: AccessQuestion): Promise<AccessAnswer> {
    const body = JSON.stringify({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: {
          verb: q.verb,
          group: q.group,
          resource: q.resource,
          subresource: q.subresource,
          namespace: q.namespace,
        },
      },
    });
    let answer: AccessAnswer;
    try {
      const res = await this.client.request(
        '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        { method: 'POST', body, contentType: 'application/json' },
        `checking permissions on ${this.context}`,
      );
      const status = (JSON.parse(res.body.toString('utf8')) as ReviewResponse).status;
      const allowed = status?.allowed === true;
      const target = `${q.resource}${q.subresource ? `/${q.subresource}` : ''}${q.group ? `.${q.group}` : ''}`;
      answer = allowed
        ? { allowed }
        : {
            allowed,
            reason: `your user on ${this.context} may not ${q.verb} ${target}${q.namespace ? ` in namespace ${q.namespace}` : ' cluster-wide'}`,
          };
    } catch (err) {
      this.log.debug('access', toKubeError(err, `checking permissions on ${this.context}`).message);
      answer = { allowed: true };
    }
    this.answers.set(keyOf(q), { answer, at: this.now() });
    this.answered.fire(q);
    return answer;
  }

  dispose(): void {
    this.answered.dispose();
  }
}
