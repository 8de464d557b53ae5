import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import { setTimeout as delay } from 'node:timers/promises';
import { serveHttp } from './http.js';
import { startPrometheus } from './prometheus.js';
import { describeWithServices, prometheusBinary, useService } from './services.js';

const EXPOSITION = [
  '# HELP yunshu_harness_probe A gauge the harness test scrapes.',
  '# TYPE yunshu_harness_probe gauge',
  'yunshu_harness_probe{site="zone-a"} 42.5',
  '',
].join('\n');

// Polls an instant query until it returns the expected number of series; Prometheus needs a scrape first.
async function queryUntil(driver: PrometheusDriver, query: string, series: number): Promise<QueryResult> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await driver.instantQuery(query);
    if (result.result.length >= series || Date.now() > deadline) return result;
    await delay(250);
  }
}

describeWithServices('startPrometheus', [prometheusBinary()], () => {
  const scrapedBy: string[] = [];
  const exporter = useService(() =>
    serveHttp((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      scrapedBy.push(request.headers['user-agent'] ?? '');
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(EXPOSITION);
    }),
  );
  const target = (): string => new URL(exporter().url).host;
  const prometheus = useService(() =>
    startPrometheus({
      scrapeTargets: [target()],
      // A second job for the same target checks that extra scrape configs are kept beside ours.
      extraConfigYaml: `scrape_configs:\n  - job_name: extra\n    static_configs:\n      - targets: ['${target()}']\n`,
    }),
  );

  test('scrapes its targets, and the samples can be queried back', async () => {
    expect(prometheus().url).toBe(`http://127.0.0.1:${prometheus().port}`);
    const driver = new PrometheusDriver({ endpoint: prometheus().url, baseURL: '/api/v1' });
    const { result } = await queryUntil(driver, 'yunshu_harness_probe', 2);

    const byJob = new Map(result.map((series) => [series.metric.labels.job, series]));
    expect([...byJob.keys()].sort()).toEqual(['extra', 'yunshu-test']);
    for (const series of byJob.values()) {
      expect(series.metric.labels.site).toBe('zone-a');
      expect(series.metric.labels.instance).toBe(target());
      expect(series.value.value).toBe(42.5);
    }
    expect(scrapedBy.some((agent) => agent.startsWith('Prometheus/'))).toBe(true);
  });

  test('reports an invalid config with Prometheus’ own error', async () => {
    await expect(startPrometheus({ scrapeInterval: 'soon' })).rejects.toThrow(
      /prometheus .* exited with code \d+ before it was ready; its last output:\n.*not a valid duration string: .*soon/s,
    );
  });
});
