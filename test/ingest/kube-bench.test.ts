// kube-bench --json output (test/fixtures/kube-bench, Apache-2.0, see test/fixtures/README.md) normalised to SecurityEvents.
import {
  formatRejection,
  kubeBenchEvents,
  sigmaLogsource,
  sigmaView,
} from '../../server/ingest/normalize/index.js';
import { expectStorable, fixture } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are read by path; the assertions check shapes
type Json = Record<string, any>;

const RESULT = JSON.parse(fixture('kube-bench/result.json')) as Json;
const COLLECTION = JSON.parse(fixture('kube-bench/controls-collection.json')) as Json[];
const ctx = { clusterId: 'gz-prod-1', node: 'kp-master-01', time: '2026-11-23T02:00:00.000Z' };

/** The sample has no failing check: its 1.1.1 (permissions of the API server manifest) made to fail. */
function withFailure(): Json {
  const copy = structuredClone(RESULT);
  Object.assign(copy['Controls'][0]['tests'][0]['results'][0], {
    status: 'FAIL',
    actual_value: 'permissions=666\n',
  });
  return copy;
}

describe('kubeBenchEvents', () => {
  test('one Compliance Finding per WARN result; PASS results are skipped', () => {
    const result = kubeBenchEvents(RESULT, ctx);
    expect(result.rejected).toEqual([]);
    expect(result.skipped).toBe(2);
    expect(result.events).toHaveLength(1);
    expectStorable(result);
    const warn = RESULT['Controls'][2];
    expect(result.events[0]).toMatchObject({
      source: 'kube-bench',
      class_uid: 2003,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200_301,
      severity_id: 2,
      time: '2026-11-23T02:00:00.000Z',
      message: 'WARN 3.1.1 Client certificate authentication should not be used for users (Not Scored)',
      metadata: { product: { name: 'kube-bench', vendor_name: 'Aqua Security' }, version: '1.3.0' },
      finding_info: {
        uid: '3.1.1',
        title: 'Client certificate authentication should not be used for users (Not Scored)',
        desc: warn['tests'][0]['results'][0]['remediation'],
        types: ['Control Plane Configuration', 'Authentication and Authorization'],
      },
      resources: [{ type: 'nodes', name: 'kp-master-01' }],
      k8s: { clusterId: 'gz-prod-1', node: 'kp-master-01' },
      raw: warn,
    });
    expect(result.events[0]).not.toHaveProperty('tenantId');
  });

  test('a FAIL is Medium; raw is its Controls narrowed to the one result', () => {
    const input = withFailure();
    const result = kubeBenchEvents(input, ctx);
    expect(result.events.map((e) => [e.finding_info!.uid, e.severity_id])).toEqual([
      ['1.1.1', 3],
      ['3.1.1', 2],
    ]);
    const raw = result.events[0]!.raw as Json;
    const control = input['Controls'][0];
    expect(raw['tests']).toEqual([control['tests'][0]]);
    expect(raw['total_fail']).toBe(control['total_fail']);
  });

  test('the dedup key is stable across runs and tells clusters, nodes and benchmarks apart', () => {
    const key = (payload: unknown, change: object = {}) =>
      kubeBenchEvents(payload, { ...ctx, ...change }).events[0]!.sourceEventId;
    const base = key(RESULT);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(key(RESULT, { time: '2026-11-24T02:00:00.000Z' })).toBe(base);
    expect(key(RESULT, { clusterId: 'gy-city-1' })).not.toBe(base);
    expect(key(RESULT, { node: 'kp-master-02' })).not.toBe(base);
    const cis16 = structuredClone(RESULT);
    cis16['Controls'][2]['version'] = '1.6';
    expect(key(cis16)).not.toBe(base);
  });

  test('an array of Controls (older kube-bench), NDJSON, and no node or cluster', () => {
    const array = kubeBenchEvents(COLLECTION, { time: ctx.time });
    expect(array.rejected).toEqual([]);
    expect(array.skipped).toBe(2);
    expect(array.events.map((e) => e.finding_info!.uid)).toEqual(['3.1.1']);
    expectStorable(array);
    expect(array.events[0]!.resources).toEqual([]);
    expect(array.events[0]).not.toHaveProperty('k8s');
    const ndjson = COLLECTION.map((c) => JSON.stringify(c)).join('\n');
    expect(kubeBenchEvents(ndjson, { time: ctx.time }).events).toEqual(array.events);
  });

  test('without a time in the context, the event is timed when normalised', () => {
    const [event] = kubeBenchEvents(RESULT, { clusterId: 'gz-prod-1' }).events;
    expect(event!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  test('bad Controls and bad results are reported by index and path; the good ones still come back', () => {
    const input = withFailure();
    const [master, etcd, controlPlane] = input['Controls'] as Json[];
    const results = master!['tests'][0]['results'] as Json[];
    master!['tests'][0]['results'] = [
      { ...results[0], status: 'BROKEN' },
      { ...results[0], test_number: 112 },
      results[0],
    ];
    input['Controls'] = [master, { ...etcd, id: undefined }, { ...controlPlane, tests: [{ desc: 'x' }] }];
    const result = kubeBenchEvents(input, ctx);
    expect(result.rejected.map(formatRejection)).toEqual([
      '[0].Controls[0].tests[0].results[0].status: Invalid option: expected one of "PASS"|"FAIL"|"WARN"|"INFO"',
      '[0].Controls[0].tests[0].results[1].test_number: Invalid input: expected string, received number',
      '[0].Controls[1].id: Invalid input: expected string, received undefined',
      '[0].Controls[2].tests[0].section: Invalid input: expected string, received undefined',
    ]);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 0, 1, 2]);
    expect(result.events.map((e) => e.finding_info!.uid)).toEqual(['1.1.1']);
    expect(kubeBenchEvents('{"Controls": [', ctx).rejected.map(formatRejection)).toEqual([
      '[0]: not valid JSON',
    ]);
    expect(kubeBenchEvents([null], ctx).rejected.map(formatRejection)).toEqual([
      '[0]: Invalid input: expected object, received null',
    ]);
  });

  test('a context value the model refuses is reported at the event field', () => {
    const result = kubeBenchEvents(RESULT, { ...ctx, node: 'n'.repeat(300) });
    expect(result.events).toEqual([]);
    expect(result.rejected.map(formatRejection)).toEqual([
      '[0].Controls[2].tests[0].results[0]→event.k8s.node: Too big: expected string to have <=253 characters',
    ]);
  });

  test('Sigma rules see the result fields beside its control and section', () => {
    const [event] = kubeBenchEvents(RESULT, ctx).events;
    expect(sigmaView(event!)).toMatchObject({
      id: '3',
      node_type: 'controlplane',
      section: '3.1',
      test_number: '3.1.1',
      status: 'WARN',
      scored: false,
    });
    expect(sigmaLogsource(event!)).toEqual({ product: 'kube-bench' });
  });
});
