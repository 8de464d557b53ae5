// Real Falco alerts (test/fixtures/falco, Apache-2.0, see test/fixtures/README.md) normalised to SecurityEvents.
import { jest } from '@jest/globals';
import {
  falcoEvents,
  falcoSeverity,
  formatRejection,
  mitreFromTags,
} from '../../server/ingest/normalize/index.js';
import { expectStorable, fixture } from './helpers.js';

const CAT_WRITE = fixture('falco/single_rule_with_cat_write.jsonl');
const TALON = fixture('falco/falco-talon-examples.jsonl');
const SIDEKICK = JSON.parse(fixture('falco/falcosidekick-write-below-binary-dir.json')) as Record<
  string,
  unknown
>;

describe('falcoEvents', () => {
  test('NDJSON from json_output: one Detection Finding per line, dedup keys distinct', () => {
    const result = falcoEvents(CAT_WRITE);
    expect(result.rejected).toEqual([]);
    expect(result.events).toHaveLength(8);
    expectStorable(result);
    expect(result.events[0]).toMatchObject({
      source: 'falco',
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200_401,
      severity_id: 3,
      time: '2016-08-04T16:17:57.881Z',
      message: '2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)',
      metadata: { product: { name: 'Falco' }, original_time: '2016-08-04T16:17:57.881781397Z' },
      finding_info: {
        uid: 'open_from_cat',
        title: 'open_from_cat',
        types: ['filesystem', 'process', 'testing'],
      },
      actor: { process: { cmd_line: 'cat /dev/null' } },
      src_endpoint: { hostname: 'test-falco-hostname' },
    });
    expect(result.events[0]).not.toHaveProperty('k8s');
    expect(result.events[0]!.sourceEventId).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(result.events.map((e) => e.sourceEventId)).size).toBe(8);
    expect(result.events[0]!.raw).toEqual(JSON.parse(CAT_WRITE.split('\n')[0]!));
  });

  test('the dedup digest is over the canonical payload, so key order does not matter', () => {
    const alert = JSON.parse(CAT_WRITE.split('\n')[0]!) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(alert).reverse());
    expect(falcoEvents(reordered).events[0]!.sourceEventId).toBe(falcoEvents(alert).events[0]!.sourceEventId);
  });

  test('falcosidekick payload: user, process, severity; uuid is the dedup key when present', () => {
    const plain = falcoEvents(SIDEKICK);
    expectStorable(plain);
    expect(plain.events[0]).toMatchObject({
      severity_id: 4,
      actor: { user: { name: 'root' }, process: { cmd_line: 'touch /bin/hack' } },
      observables: expect.arrayContaining([{ name: 'actor.user.name', type_id: 4, value: 'root' }]),
    });
    const uuid = '7b1a9f3e-54c2-4d8a-9e0f-1a2b3c4d5e6f';
    const withUuid = falcoEvents({ ...SIDEKICK, uuid });
    expect(withUuid.events[0]).toMatchObject({ sourceEventId: uuid, metadata: { uid: uuid } });
  });

  test('Kubernetes output fields fill the k8s extension, with the tenant from ctx.tenantOf', () => {
    const tenantOf = jest.fn((clusterId: string, ns: string) =>
      clusterId === 'gz-prod-1' && ns === 'default' ? 'tenant-gzdsj' : undefined,
    );
    const result = falcoEvents(TALON, { clusterId: 'gz-prod-1', tenantOf });
    expect(result.rejected).toEqual([]);
    expect(result.events).toHaveLength(6);
    expectStorable(result);
    const [terminate, , networkPolicy, , , lambda] = result.events;
    expect(terminate).toMatchObject({
      severity_id: 5,
      finding_info: { title: 'Test Terminate' },
      k8s: { clusterId: 'gz-prod-1', namespace: 'default', pod: 'test' },
      resources: [{ type: 'pods', name: 'test', namespace: 'default' }],
      tenantId: 'tenant-gzdsj',
    });
    expect(networkPolicy!.observables).toEqual([{ name: 'fd.rip', type_id: 2, value: '8.8.8.8' }]);
    // No namespace, so no tenant: the event stays unowned rather than guessed.
    expect(lambda).toMatchObject({ k8s: { clusterId: 'gz-prod-1' } });
    expect(lambda).not.toHaveProperty('tenantId');
    expect(tenantOf).toHaveBeenCalledWith('gz-prod-1', 'default');
  });

  test('container, process, user and connection fields', () => {
    const result = falcoEvents(
      {
        uuid: 'b0c1d2e3-f4a5-4b6c-8d7e-9f0a1b2c3d4e',
        output:
          '05:01:40.112233445: Critical Container escape attempt (user=root command=nsenter -t 1 -m sh)',
        priority: 'Critical',
        rule: 'Container escape via nsenter',
        source: 'syscall',
        time: '2026-11-23T05:01:40.112233445Z',
        hostname: 'kp-worker-07',
        tags: ['container', 'mitre_privilege_escalation', 'T1611'],
        output_fields: {
          'k8s.ns.name': 'gzdsj-portal',
          'k8s.pod.name': 'portal-api-5d8c7b9f4-x2k9q',
          'container.id': '3ad7b26ded6d',
          'container.name': 'api',
          'proc.name': 'nsenter',
          'proc.pid': 4242,
          'proc.cmdline': 'nsenter -t 1 -m sh',
          'user.name': 'root',
          'user.uid': 0,
          'fd.cip': '10.12.9.4',
          'fd.cport': 51514,
          'fd.sip': '10.12.0.1',
          'fd.rip': '<NA>',
        },
      },
      { clusterId: 'gz-prod-1' },
    );
    expectStorable(result);
    expect(result.events[0]).toMatchObject({
      severity_id: 5,
      actor: {
        user: { name: 'root', uid: '0' },
        process: { name: 'nsenter', pid: 4242, cmd_line: 'nsenter -t 1 -m sh' },
      },
      src_endpoint: { ip: '10.12.9.4', port: 51514 },
      resources: [{ type: 'container', uid: '3ad7b26ded6d', name: 'api', namespace: 'gzdsj-portal' }],
      k8s: {
        namespace: 'gzdsj-portal',
        pod: 'portal-api-5d8c7b9f4-x2k9q',
        container: 'api',
        node: 'kp-worker-07',
      },
      finding_info: { types: ['container', 'mitre_privilege_escalation', 'T1611'] },
    });
    expect(result.events[0]!.observables.filter((o) => o.type_id === 2).map((o) => o.name)).toEqual([
      'fd.cip',
      'fd.sip',
    ]);
    expect(mitreFromTags(result.events[0]!.finding_info!.types!)).toEqual({
      tactics: ['privilege-escalation'],
      techniques: ['T1611'],
    });
  });

  test.each([
    ['Emergency', 6],
    ['Alert', 5],
    ['Critical', 5],
    ['Error', 4],
    ['Warning', 3],
    ['Notice', 2],
    ['Informational', 1],
    ['Debug', 1],
    ['informational', 1],
    ['Bogus', 0],
  ])('priority %s → severity_id %d', (priority, severity) => {
    expect(falcoSeverity(priority)).toBe(severity);
  });

  test('bad records are reported with index and path; the good ones still come back', () => {
    const lines = CAT_WRITE.split('\n').slice(0, 2);
    const ndjson = [
      lines[0],
      '{"rule": "truncated", ',
      JSON.stringify({ ...JSON.parse(lines[1]!), time: '2016-08-04 yesterday' }),
      JSON.stringify({ ...JSON.parse(lines[1]!), priority: 3, tags: 'filesystem' }),
      JSON.stringify({ output: 'no rule', priority: 'Warning', time: '2016-08-04T16:17:57Z' }),
      JSON.stringify({ ...JSON.parse(lines[1]!), time: '2016-02-30T16:17:57Z' }),
      lines[1],
    ].join('\n');
    const result = falcoEvents(ndjson);
    expect(result.events).toHaveLength(2);
    expect(result.rejected.map(formatRejection)).toEqual([
      '[1]: not valid JSON',
      '[2].time: not a valid timestamp',
      '[3].priority: Invalid input: expected string, received number',
      '[3].tags: Invalid input: expected array, received string',
      '[4].rule: Invalid input: expected string, received undefined',
      '[5].time: not a valid timestamp',
    ]);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 3, 3, 4, 5]);
  });

  test('a value the model refuses is reported at the event field', () => {
    const result = falcoEvents([{ ...SIDEKICK, output_fields: { 'k8s.ns.name': 'x'.repeat(300) } }], {
      clusterId: 'c1',
    });
    expect(result.events).toEqual([]);
    expect(result.rejected.map(formatRejection)).toEqual([
      '[0]→event.k8s.namespace: Too big: expected string to have <=253 characters',
    ]);
  });

  test('a non-object record is rejected, not thrown', () => {
    expect(falcoEvents([42, null]).rejected.map(formatRejection)).toEqual([
      '[0]: Invalid input: expected object, received number',
      '[1]: Invalid input: expected object, received null',
    ]);
  });
});

describe('mitreFromTags', () => {
  test('Falco and Sigma spellings; unknown tactics are ignored', () => {
    expect(
      mitreFromTags([
        'T1611',
        'mitre_privilege_escalation',
        'attack.t1552.007',
        'attack.credential_access',
        'mitre_made_up',
      ]),
    ).toEqual({ tactics: ['privilege-escalation', 'credential-access'], techniques: ['T1611', 'T1552.007'] });
  });
});
