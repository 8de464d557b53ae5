// Generic OCSF input: records already in (a subset of) OCSF 1.3 shape.
import { formatRejection, ocsfEvents } from '../../server/ingest/normalize/index.js';
import { examples } from '../model/examples.js';
import { expectStorable } from './helpers.js';

const {
  id: _i,
  version: _v,
  createdAt: _c,
  updatedAt: _u,
  tenantId: _t,
  ...MODEL_EVENT
} = examples.security_events();

// An OCSF Detection Finding as a third-party producer would send it (epoch-ms time, OCSF names).
const finding = {
  class_uid: 2004,
  class_name: 'Detection Finding',
  activity_id: 1,
  activity_name: 'Create',
  severity_id: 4,
  severity: 'High',
  time: 1_795_409_892_345,
  message: 'Reverse shell from container',
  metadata: { product: { name: 'Tetragon', vendor_name: 'Isovalent' }, uid: 'tg-8842', version: '1.3.0' },
  finding_info: { uid: 'reverse-shell', title: 'Reverse shell' },
  k8s: { namespace: 'gzdsj-portal', pod: 'portal-api-5d8c7b9f4-x2k9q' },
};

describe('ocsfEvents', () => {
  test('fills derived ids, source, the dedup key and the time from OCSF epoch ms', () => {
    const result = ocsfEvents(finding, { clusterId: 'gz-prod-1', tenantOf: () => 'tenant-gzdsj' });
    expect(result.rejected).toEqual([]);
    expectStorable(result);
    expect(result.events[0]).toMatchObject({
      source: 'ocsf',
      sourceEventId: 'tg-8842',
      category_uid: 2,
      type_uid: 200_401,
      time: '2026-11-23T04:58:12.345Z',
      metadata: { original_time: '1795409892345', version: '1.3.0' },
      k8s: { clusterId: 'gz-prod-1', namespace: 'gzdsj-portal' },
      tenantId: 'tenant-gzdsj',
      resources: [],
      raw: finding,
    });
    // OCSF fields the model lacks survive only in raw.
    expect(result.events[0]).not.toHaveProperty('class_name');
  });

  test('a model-shaped event round-trips unchanged', () => {
    const result = ocsfEvents(JSON.stringify(MODEL_EVENT));
    expect(result.rejected).toEqual([]);
    expect(result.events[0]).toEqual({ ...MODEL_EVENT, schemaVersion: 1 });
  });

  test('a k8s extension needs a cluster, from the record or the context', () => {
    expect(ocsfEvents(finding).rejected.map(formatRejection)).toEqual([
      '[0].k8s.clusterId: Invalid input: expected string, received undefined',
    ]);
    expect(ocsfEvents({ ...finding, k8s: { ...finding.k8s, clusterId: 'c9' } }).events[0]!.k8s).toMatchObject(
      {
        clusterId: 'c9',
      },
    );
  });

  test('NDJSON batch: bad records reported with index and path, good ones returned', () => {
    const { metadata: _m, ...noMetadata } = finding;
    const ndjson = [
      JSON.stringify(finding),
      JSON.stringify({ ...finding, time: '2026-11-23 noon' }),
      JSON.stringify({ ...finding, type_uid: 200_402 }),
      '[1, 2',
      JSON.stringify(noMetadata),
      JSON.stringify({ ...finding, tenantId: 'tenant-other' }),
      JSON.stringify({ ...finding, severity_id: 'High', time: '2026-11-23T04:58:12Z' }),
      '"just a string"',
    ].join('\n');
    const result = ocsfEvents(ndjson, { clusterId: 'gz-prod-1' });
    expect(result.events).toHaveLength(1);
    expect(result.rejected.map(formatRejection)).toEqual([
      '[1].time: not a valid timestamp',
      '[2].type_uid: type_uid must be class_uid * 100 + activity_id',
      '[3]: not valid JSON',
      '[4].metadata.product: Invalid input: expected object, received undefined',
      '[5].tenantId: an ingested event cannot choose its tenant',
      '[6].severity_id: Invalid option: expected one of 0|1|2|3|4|5|6|99',
      '[7]: expected an OCSF event object',
    ]);
  });

  test('without metadata.uid the dedup key is the payload digest', () => {
    const { metadata, k8s: _k, ...rest } = finding;
    const { uid: _uid, ...noUid } = metadata;
    const result = ocsfEvents({ ...rest, metadata: noUid });
    expect(result.rejected).toEqual([]);
    expect(result.events[0]!.sourceEventId).toMatch(/^[0-9a-f]{64}$/);
    expect(result.events[0]).not.toHaveProperty('k8s');
  });
});
