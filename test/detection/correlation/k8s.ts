// Kubernetes audit Events (shaped like test/fixtures/k8s-audit) as the engine sees them, and base rules over them.
import { readFileSync } from 'node:fs';
import type { EngineEvent } from '../../../server/detection/engine.js';
import { sigmaLogsource, sigmaView } from '../../../server/ingest/normalize/sigma-view.js';

const LIST = JSON.parse(
  readFileSync(new URL('../../fixtures/k8s-audit/eventlist-webhook.json', import.meta.url), 'utf8'),
) as { items: Record<string, unknown>[] };
/** The forbidden `get secrets` of the fixture: a ResponseComplete Event with a responseStatus. */
const TEMPLATE = LIST.items[2]!;

export const T0 = Date.parse('2026-11-23T04:59:00Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export interface AuditShape {
  /** Milliseconds after T0. */
  at: number;
  user?: string;
  verb?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  code?: number;
  sourceIP?: string;
}

let serial = 0;

export function audit(shape: AuditShape): EngineEvent {
  const id = `evt-${++serial}`;
  const time = T0 + shape.at;
  const raw = {
    ...structuredClone(TEMPLATE),
    auditID: id,
    verb: shape.verb ?? 'get',
    user: {
      username: shape.user ?? 'zhangwei@gzdsj.gov.example',
      groups: ['gzdsj-ops', 'system:authenticated'],
    },
    sourceIPs: [shape.sourceIP ?? '10.12.9.4'],
    objectRef: {
      resource: shape.resource ?? 'secrets',
      ...(shape.subresource ? { subresource: shape.subresource } : {}),
      namespace: shape.namespace ?? 'kube-system',
      name: shape.name ?? 'bootstrap-token-abcdef',
      apiVersion: 'v1',
    },
    responseStatus: { metadata: {}, code: shape.code ?? 200 },
    requestReceivedTimestamp: new Date(time).toISOString(),
    stageTimestamp: new Date(time).toISOString(),
  };
  const event = { source: 'k8s-audit' as const, raw };
  return { id, time, view: sigmaView(event), logsource: sigmaLogsource(event) };
}

export const FORBIDDEN_ID = '7c1e4a52-3b0d-4f6e-9a21-5d8c0b7e3f01';
export const SECRET_READ_ID = '7c1e4a52-3b0d-4f6e-9a21-5d8c0b7e3f02';
export const EXEC_ID = '7c1e4a52-3b0d-4f6e-9a21-5d8c0b7e3f03';

const base = (id: string, name: string, title: string, selection: string): string => `title: ${title}
id: ${id}
name: ${name}
status: test
level: low
tags:
  - attack.discovery
logsource:
  product: kubernetes
  service: audit
detection:
  selection:
${selection}
  condition: selection
`;

export const FORBIDDEN = base(
  FORBIDDEN_ID,
  'k8s_forbidden',
  'Kubernetes request forbidden',
  '    responseStatus.code: 403',
);
export const SECRET_READ = base(
  SECRET_READ_ID,
  'k8s_secret_read',
  'Kubernetes secret read',
  '    verb:\n      - get\n      - list\n    objectRef.resource: secrets\n    responseStatus.code: 200',
);
export const EXEC = base(
  EXEC_ID,
  'k8s_pod_exec',
  'Kubernetes exec into pod',
  '    verb: create\n    objectRef.resource: pods\n    objectRef.subresource: exec',
);
export const BASE_RULES = [FORBIDDEN, SECRET_READ, EXEC].join('---\n');

export const CORRELATION_ID = '9d2f6b13-8e4a-4c07-b5d1-0a7c3e9f2b10';

/** A correlation document with the given `correlation:` body (indented YAML lines). */
export function correlation(body: string, extra = '', id = CORRELATION_ID): string {
  const indented = body
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `title: Test correlation\nid: ${id}\nlevel: high\n${extra}correlation:\n${indented}\n`;
}
