/**
 * Plays the demo fleet's security telemetry (collectors/demo-fleet/security-stories.ts) into the
 * ingest pipeline, the code path behind the receivers: routine audit traffic every tick, and one
 * attack story in turn every few ticks, the first soon after start so a fresh console has alerts
 * and incidents to show. Demo data only: it runs only when the demo fleet does.
 */
import {
  ATTACK_STORIES,
  routineTraffic,
  type DemoTelemetry,
} from '../../collectors/demo-fleet/security-stories.js';
import type { DemoFleet } from '../../collectors/demo-fleet/types.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import type { Logger } from '../logger.js';

export interface DemoSecurityFeedOptions {
  /** Routine traffic period. Default 10 s. */
  tickMs?: number;
  /** A story every this many ticks. Default 6 (a minute). */
  storyEvery?: number;
  /** Before the first story: time for the collectors' first sync, so events find their pods. Default 8 s. */
  firstStoryAfterMs?: number;
}

export class DemoSecurityFeed {
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private tick = 0;
  private story = 0;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly fleet: DemoFleet,
    private readonly pipeline: IngestPipeline,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly options: DemoSecurityFeedOptions = {},
  ) {}

  start(): void {
    const tickMs = this.options.tickMs ?? 10_000;
    this.first = setTimeout(
      () => this.schedule(() => this.playStories(ATTACK_STORIES.length)),
      this.options.firstStoryAfterMs ?? 8_000,
    );
    this.timer = setInterval(() => this.schedule(() => this.onTick()), tickMs);
    this.first.unref();
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.first);
    clearInterval(this.timer);
    await this.running;
  }

  /** Plays `count` stories, in turn, now. */
  async playStories(count = 1): Promise<void> {
    for (let i = 0; i < count; i++) {
      const story = ATTACK_STORIES[this.story % ATTACK_STORIES.length]!;
      await this.send(story(this.fleet, Date.now(), this.story++));
    }
  }

  private async onTick(): Promise<void> {
    this.tick++;
    await this.send(routineTraffic(this.fleet, Date.now()));
    if (this.tick % (this.options.storyEvery ?? 6) === 0) await this.playStories();
  }

  /** One at a time: a slow store must not pile up overlapping sends. */
  private schedule(task: () => Promise<void>): void {
    this.running = this.running
      .then(task)
      .catch((err: unknown) => this.logger.warn({ err }, 'demo security feed failed'));
  }

  private async send(telemetry: DemoTelemetry[]): Promise<void> {
    for (const t of telemetry)
      await this.pipeline.ingest({ source: t.source, payload: t.payload, clusterId: t.clusterId });
  }
}
