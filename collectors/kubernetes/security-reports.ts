/**
 * Pulls Trivy-operator reports (`vulnerabilityreports`, `configauditreports` of
 * aquasecurity.github.io/v1alpha1, all namespaces) from one cluster and hands their findings, as
 * security events, to a sink.
 *
 * A periodic paged list rather than a watch: trivy-operator rewrites whole reports when it re-scans,
 * a few times a day, so a stream per cluster would mostly idle. Each pass hands on only the reports
 * whose resourceVersion changed since they were last delivered; a report re-delivered anyway (after
 * a restart, or a failed sink) dedups on its findings' sourceEventId.
 *
 * A 404 means the CRD is not installed: the source is absent, which is logged once (as is every
 * change of state), not retried as an error; the next pass looks again, so installing trivy-operator
 * later is picked up.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../server/logger.js';
import {
  formatRejection,
  trivyEvents,
  type NewSecurityEvent,
  type NormalizeContext,
} from '../../server/ingest/normalize/index.js';
import { getJson, KubeApiError } from './kube-request.js';
import type { RawObject } from './list-watch.js';

export type SecurityEventSink = (events: NewSecurityEvent[]) => Promise<void>;

const API = '/apis/aquasecurity.github.io/v1alpha1';
export const TRIVY_REPORT_RESOURCES = ['vulnerabilityreports', 'configauditreports'] as const;
export type TrivyReportResource = (typeof TRIVY_REPORT_RESOURCES)[number];

/** present: listed; absent: CRD not installed (404); failing: any other error, retried next pass. */
export type ReportSourceState = 'present' | 'absent' | 'failing';

export interface ResourcePass {
  state: ReportSourceState;
  /** Reports new or changed since last delivered, normalised in this pass. */
  changed: number;
  events: number;
  rejected: number;
  error?: string;
}

export type PullSummary = Record<TrivyReportResource, ResourcePass>;

export interface SecurityReportsOptions {
  /** Pause between the end of one pass and the start of the next. */
  intervalMs?: number;
  /** Reports per list page; reports with many findings are large, so pages are kept small. */
  pageSize?: number;
  tenantOf?: NormalizeContext['tenantOf'];
  logger?: Pick<Logger, 'info' | 'warn'>;
}

interface RawList {
  metadata?: { continue?: string };
  items?: RawObject[];
}

/** Rejections named in one log line at most; the count says how many there were. */
const LOGGED_REJECTIONS = 5;

export class SecurityReportsPuller {
  private readonly options: Required<Omit<SecurityReportsOptions, 'tenantOf' | 'logger'>> &
    SecurityReportsOptions;
  /** Per resource: resourceVersion last delivered, by report uid. */
  private readonly delivered = new Map<TrivyReportResource, Map<string, string>>(
    TRIVY_REPORT_RESOURCES.map((r) => [r, new Map()]),
  );
  private readonly states = new Map<TrivyReportResource, ReportSourceState>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  /** Set while stop() waits, so a pass in progress ends after its current page. */
  private stopping = false;
  private running: Promise<PullSummary> | undefined;

  constructor(
    readonly clusterId: string,
    private readonly kc: KubeConfig,
    private readonly sink: SecurityEventSink,
    options: SecurityReportsOptions = {},
  ) {
    this.options = { intervalMs: 10 * 60_000, pageSize: 100, ...options };
  }

  /** Pulls now, then every `intervalMs` after each pass ends. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.tick();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
    this.stopping = false;
  }

  /** One pass over both report resources; never throws (failures are in the summary). */
  pull(): Promise<PullSummary> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async tick(): Promise<void> {
    await this.pull();
    if (this.started) this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
  }

  private async pass(): Promise<PullSummary> {
    const summary = {} as PullSummary;
    for (const resource of TRIVY_REPORT_RESOURCES) summary[resource] = await this.pullResource(resource);
    return summary;
  }

  private async pullResource(resource: TrivyReportResource): Promise<ResourcePass> {
    const delivered = this.delivered.get(resource)!;
    const seen = new Set<string>();
    const pass: ResourcePass = { state: 'present', changed: 0, events: 0, rejected: 0 };
    let token: string | undefined;
    try {
      do {
        const page = await getJson<RawList>(this.kc, `${API}/${resource}`, {
          limit: this.options.pageSize,
          continue: token,
        });
        const items = page.items ?? [];
        for (const item of items) if (item.metadata?.uid) seen.add(item.metadata.uid);
        const changed = items.filter(
          (item) => !item.metadata?.uid || delivered.get(item.metadata.uid) !== item.metadata.resourceVersion,
        );
        await this.deliver(resource, changed, pass);
        for (const { metadata } of changed)
          if (metadata?.uid && metadata.resourceVersion)
            delivered.set(metadata.uid, metadata.resourceVersion);
        token = page.metadata?.continue || undefined;
      } while (token && !this.stopping);
    } catch (error) {
      const absent = error instanceof KubeApiError && error.statusCode === 404;
      if (absent) delivered.clear();
      this.setState(resource, absent ? 'absent' : 'failing', (error as Error).message);
      return absent
        ? { ...pass, state: 'absent' }
        : { ...pass, state: 'failing', error: (error as Error).message };
    }
    // Only a complete list says which reports are gone; forgetting them lets a re-created one through.
    if (!token) for (const uid of delivered.keys()) if (!seen.has(uid)) delivered.delete(uid);
    this.setState(resource, 'present');
    return pass;
  }

  /** Normalises and sinks one page's changed reports; a sink failure fails the pass (retried next). */
  private async deliver(
    resource: TrivyReportResource,
    reports: RawObject[],
    pass: ResourcePass,
  ): Promise<void> {
    if (reports.length === 0) return;
    const result = trivyEvents(reports, { clusterId: this.clusterId, tenantOf: this.options.tenantOf });
    pass.changed += reports.length;
    pass.events += result.events.length;
    pass.rejected += result.rejected.length;
    if (result.rejected.length > 0) {
      this.options.logger?.warn(
        {
          clusterId: this.clusterId,
          resource,
          rejected: result.rejected.length,
          problems: result.rejected.slice(0, LOGGED_REJECTIONS).map((r) => {
            const meta = reports[r.index]?.metadata;
            return `${meta?.namespace ?? ''}/${meta?.name ?? '?'} ${formatRejection(r)}`;
          }),
        },
        'trivy report findings rejected',
      );
    }
    if (result.events.length > 0) await this.sink(result.events);
  }

  private setState(resource: TrivyReportResource, state: ReportSourceState, error?: string): void {
    if (this.states.get(resource) === state) return;
    this.states.set(resource, state);
    const fields = { clusterId: this.clusterId, resource, ...(error !== undefined ? { error } : {}) };
    const logger = this.options.logger;
    if (state === 'present') logger?.info(fields, 'trivy reports readable');
    else if (state === 'absent')
      logger?.info(fields, 'trivy-operator not installed (CRD absent); source absent');
    else logger?.warn(fields, 'trivy reports cannot be listed; retrying every interval');
  }
}
