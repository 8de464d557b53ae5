// The helm CLI for the chart tests: where scripts/build-helm.sh puts it, how to run it without
// touching the user's helm config, and how to read what it renders.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { BinaryLookup } from '../harness/services.js';

export const CHART_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'charts', 'yunshu');

/** YUNSHU_HELM_BIN, else the binary scripts/build-helm.sh builds; for describeWithServices. */
export function helmBinary(): BinaryLookup {
  const configured = process.env.YUNSHU_HELM_BIN;
  const path =
    configured || join(process.env.YUNSHU_CACHE || join(homedir(), '.cache', 'yunshu'), 'bin', 'helm');
  let found: string | undefined = path;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    found = undefined;
  }
  return {
    service: 'helm',
    path: found,
    searched: configured ? `YUNSHU_HELM_BIN=${configured}` : `${path} (or set YUNSHU_HELM_BIN)`,
    install: 'bash scripts/build-helm.sh',
  };
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- spec shapes differ per kind; each test narrows it
  spec?: any;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs helm with its config, cache and data under one temporary directory (so tests never read or
 * write the user's repositories and plugins), and writes values objects to -f files. Asynchronous,
 * so a test that also talks to an API server does not block the event loop.
 */
export class Helm {
  private readonly home = mkdtempSync(join(tmpdir(), 'yunshu-helm-'));
  private files = 0;

  constructor(private readonly binary: string) {}

  /** helm args for a values object: JSON is YAML, so it goes into a -f file as written. */
  values(values: object): string[] {
    const file = join(this.home, `values-${++this.files}.json`);
    writeFileSync(file, JSON.stringify(values));
    return ['-f', file];
  }

  /** Writes a file under the temporary directory (e.g. a kubeconfig) and returns its path. */
  writeFile(name: string, content: string): string {
    const file = join(this.home, name);
    writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  run(args: string[]): Promise<HelmResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, {
        env: {
          ...process.env,
          HELM_CONFIG_HOME: join(this.home, 'config'),
          HELM_CACHE_HOME: join(this.home, 'cache'),
          HELM_DATA_HOME: join(this.home, 'data'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      // A hung helm must fail the test, not outlive it.
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  }

  /** Like run(), but throws with helm's own message unless it exits 0. */
  async ok(args: string[]): Promise<HelmResult> {
    const result = await this.run(args);
    if (result.status !== 0)
      throw new Error(`helm ${args[0]} failed (exit ${result.status}): ${result.stderr.trim()}`);
    return result;
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** The objects of a multi-document YAML stream, as helm template and helm get manifest print it. */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`invalid YAML from helm: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}
