import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { httpOk, startServerProcess, type ServerProcess } from './process.js';
import { prometheusBinary, requireBinary } from './services.js';

export interface PrometheusOptions {
  /** host:port pairs scraped at /metrics under job "yunshu-test". */
  scrapeTargets?: string[];
  /** Default "1s", so a test sees samples quickly. */
  scrapeInterval?: string;
  /**
   * More prometheus.yml; its `scrape_configs` are added to the "yunshu-test" job, its `global` keys
   * override ours, and its other top-level keys are added as they are.
   */
  extraConfigYaml?: string;
}

/**
 * Starts Prometheus on a free loopback port with its config and TSDB in a temp dir; `url` is
 * http://127.0.0.1:PORT. Its first scrape comes about 5 s after start: target discovery updates
 * the scrape manager at most that often.
 */
export function startPrometheus(options: PrometheusOptions = {}): Promise<ServerProcess> {
  const { scrapeTargets = [], scrapeInterval = '1s', extraConfigYaml } = options;
  return startServerProcess({
    name: 'prometheus',
    command: requireBinary(prometheusBinary()),
    args: async (dir, port) => {
      const extra: unknown = extraConfigYaml === undefined ? {} : parse(extraConfigYaml);
      if (!isMapping(extra)) throw new Error(`extraConfigYaml is not a YAML mapping: ${extraConfigYaml}`);
      const extraJobs: unknown[] = Array.isArray(extra.scrape_configs) ? extra.scrape_configs : [];
      const ourJobs = scrapeTargets.length
        ? [{ job_name: 'yunshu-test', static_configs: [{ targets: scrapeTargets }] }]
        : [];
      const config = {
        ...extra,
        global: {
          scrape_interval: scrapeInterval,
          evaluation_interval: scrapeInterval,
          ...(isMapping(extra.global) ? extra.global : {}),
        },
        scrape_configs: [...ourJobs, ...extraJobs],
      };
      const configFile = join(dir, 'prometheus.yml');
      await writeFile(configFile, stringify(config));
      return [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ];
    },
    url: (port) => `http://127.0.0.1:${port}`,
    ready: (port) => httpOk(`http://127.0.0.1:${port}/-/ready`),
  });
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
