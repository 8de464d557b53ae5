/**
 * Feeds the Kubernetes Warning events the collectors store (`kube_events`) into the security
 * pipeline, so rules can match them like any other source. Reads what changed since its cursor
 * (a raised `count` is a new occurrence: the event id includes it), and keeps the cursor in the
 * store so a restart resumes; re-reading an overlap is harmless because ingest deduplicates.
 */
import type { DetectionCheckpoint } from '../detection/checkpoint.js';
import { detectionCheckpointsSpec } from '../detection/checkpoint.js';
import type { KubeEvent } from '../model/kube-event.js';
import type { Store } from '../store/port.js';
import { IngestRejectedError, type IngestPipeline } from './ingest-pipeline.js';
import { kubeEventEvents } from './normalize/index.js';

const CURSOR_ID = 'kube-events-feed';
const PAGE = 500;

export class KubeEventFeed {
  constructor(
    private readonly store: Store,
    private readonly pipeline: IngestPipeline,
  ) {}

  /** Ingests the Warning events stored or updated since the last call; returns how many were read. */
  async poll(): Promise<number> {
    const cursors = this.store.collection<DetectionCheckpoint>(detectionCheckpointsSpec.name);
    const kubeEvents = this.store.collection<KubeEvent>('kube_events');
    const since = (await cursors.get(CURSOR_ID))?.at ?? '';
    let read = 0;
    let cursor = since;
    for (;;) {
      const page = await kubeEvents.find({
        filter: cursor ? { updatedAt: { gt: cursor } } : {},
        sort: { field: 'updatedAt', dir: 'asc' },
        limit: PAGE,
      });
      if (page.items.length === 0) break;
      // Each cluster's events carry their own cluster id; the normaliser takes it from the context.
      const byCluster = new Map<string, KubeEvent[]>();
      for (const e of page.items) {
        const events = byCluster.get(e.clusterId);
        if (events) events.push(e);
        else byCluster.set(e.clusterId, [e]);
      }
      for (const [clusterId, events] of byCluster) await this.ingest(clusterId, events);
      read += page.items.length;
      cursor = page.items.at(-1)!.updatedAt;
      await cursors.upsert({ id: CURSOR_ID, at: cursor });
      if (page.items.length < PAGE) break;
    }
    return read;
  }

  /**
   * All-or-nothing ingest would let one odd stored event hold back every later one, so rejected
   * events are left out (they are stored in kube_events all the same) and the rest go in.
   * Overload (429) propagates: the cursor stays and the next poll retries.
   */
  private async ingest(clusterId: string, events: KubeEvent[]): Promise<void> {
    const send = (batch: KubeEvent[]) =>
      this.pipeline.ingest({ source: 'k8s-event', payload: batch, clusterId, normalize: kubeEventEvents });
    try {
      await send(events);
    } catch (err) {
      if (!(err instanceof IngestRejectedError)) throw err;
      const bad = new Set(err.rejections.map((r) => r.index));
      const good = events.filter((_, i) => !bad.has(i));
      if (good.length) await send(good);
    }
  }
}
