/** Watches and informers against the demo fleet, through the real @kubernetes/client-node. */
import { makeInformer, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import type { K8sObject } from '../../../collectors/demo-fleet/index.js';
import { clients, clusterOf, recordWatch, until, useFleet } from './helpers.js';

const fleet = useFleet({ historyWindow: 50 });
const CLUSTER = 'gz-prod-kunpeng';
const NAMESPACE = 'gzdsj-portal';

/** A new pod modelled on an existing one, as a controller would create it. */
function podLike(template: K8sObject, name: string): K8sObject {
  const metadata = { ...template.metadata, name };
  delete metadata.uid;
  delete metadata.resourceVersion;
  return { ...template, metadata };
}

function mutatePods(fn: Parameters<ReturnType<typeof fleet>['mutate']>[2]) {
  fleet().mutate(CLUSTER, 'pods', fn);
}

describe('demo fleet watches', () => {
  test('a watch from a list resourceVersion replays ADDED / MODIFIED / DELETED made since, then streams live ones', async () => {
    const { kc, core } = clients(clusterOf(fleet(), CLUSTER));
    const list = await core.listNamespacedPod({ namespace: NAMESPACE });
    const template = list.items[0] as unknown as K8sObject;

    mutatePods((pods) => {
      pods.put(podLike(template, 'probe-a'));
      const added = pods.get('probe-a', NAMESPACE) as K8sObject;
      pods.put({
        ...added,
        metadata: { ...added.metadata, labels: { ...added.metadata.labels, step: 'two' } },
      });
      pods.remove('probe-a', NAMESPACE);
    });
    const watch = await recordWatch(kc, `/api/v1/namespaces/${NAMESPACE}/pods`, {
      resourceVersion: list.metadata?.resourceVersion as string,
      allowWatchBookmarks: true,
    });
    await until(() => watch.events.length >= 3, 'the replayed events');
    expect(watch.events.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ['ADDED', 'probe-a'],
      ['MODIFIED', 'probe-a'],
      ['DELETED', 'probe-a'],
    ]);
    const versions = watch.events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions[0]).toBeGreaterThan(Number(list.metadata?.resourceVersion));

    mutatePods((pods) => pods.put(podLike(template, 'probe-b')));
    await until(() => watch.events.some((e) => e.object.metadata?.name === 'probe-b'), 'the live event');
    expect(watch.events.at(-1)).toMatchObject({ type: 'ADDED', object: { kind: 'Pod' } });
    watch.stop();
  });

  test('tick churns pods: a rollout deletes one pod and adds another, crash loops restart', async () => {
    const { kc, core } = clients(clusterOf(fleet(), CLUSTER));
    const list = await core.listPodForAllNamespaces();
    const watch = await recordWatch(kc, '/api/v1/pods', {
      resourceVersion: list.metadata?.resourceVersion as string,
    });
    fleet().tick();
    await until(
      () => ['ADDED', 'DELETED', 'MODIFIED'].every((type) => watch.events.some((e) => e.type === type)),
      'churn events',
    );
    const crashLoop = watch.events.find(
      (e) => e.type === 'MODIFIED' && e.object.metadata?.name?.startsWith('etl-worker'),
    )?.object as V1Pod | undefined;
    const before = list.items.find((p) => p.metadata?.name === crashLoop?.metadata?.name);
    expect(crashLoop?.status?.containerStatuses?.[0]?.restartCount).toBe(
      (before?.status?.containerStatuses?.[0]?.restartCount ?? 0) + 1,
    );
    watch.stop();
  });

  test('timeoutSeconds ends the watch, with a bookmark first when asked for', async () => {
    const { kc } = clients(clusterOf(fleet(), CLUSTER));
    const watch = await recordWatch(kc, '/api/v1/nodes', {
      resourceVersion: '0',
      timeoutSeconds: 1,
      allowWatchBookmarks: true,
    });
    expect(await watch.done).toBeNull();
    expect(watch.events.filter((e) => e.type === 'ADDED')).toHaveLength(
      clusterOf(fleet(), CLUSTER).spec.nodes,
    );
    expect(watch.events.at(-1)).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Node' } });
  });

  test('after compact, resuming a watch gets a 410 Expired ERROR event and the stream ends', async () => {
    const { kc, core } = clients(clusterOf(fleet(), CLUSTER));
    const list = await core.listNode();
    fleet().compact(CLUSTER);
    const watch = await recordWatch(kc, '/api/v1/nodes', {
      resourceVersion: list.metadata?.resourceVersion as string,
    });
    expect(await watch.done).toBeNull();
    expect(watch.events).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }),
      },
    ]);
    // A fresh list after the compaction can be watched from again.
    const fresh = await core.listNode();
    const again = await recordWatch(kc, '/api/v1/nodes', {
      resourceVersion: fresh.metadata?.resourceVersion as string,
      timeoutSeconds: 1,
    });
    expect(await again.done).toBeNull();
    expect(again.events.filter((e) => e.type === 'ERROR')).toEqual([]);
  });

  test('a watch resumed from beyond the history window gets 410 too', async () => {
    const { kc, core } = clients(clusterOf(fleet(), CLUSTER));
    const list = await core.listPodForAllNamespaces();
    for (let i = 0; i < 20; i++) fleet().tick(); // far more than historyWindow (50) pod changes
    const watch = await recordWatch(kc, '/api/v1/pods', {
      resourceVersion: list.metadata?.resourceVersion as string,
    });
    expect(await watch.done).toBeNull();
    expect(watch.events.map((e) => [e.type, e.object.code])).toEqual([['ERROR', 410]]);
  });

  test('an informer restarted after a compaction relists on 410 and converges', async () => {
    const { kc, core } = clients(clusterOf(fleet(), CLUSTER));
    let lists = 0;
    const informer = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${NAMESPACE}/pods`, () => {
      lists++;
      return core.listNamespacedPod({ namespace: NAMESPACE });
    });
    const errors: unknown[] = [];
    informer.on('error', (error) => errors.push(error));
    await informer.start();
    const initial = informer.list().length;
    expect(initial).toBeGreaterThan(0);

    await informer.stop();
    const template = informer.list()[0] as unknown as K8sObject;
    mutatePods((pods) => pods.put(podLike(template, 'while-stopped')));
    fleet().compact(CLUSTER);
    await informer.start();
    await until(() => lists === 2 && informer.get('while-stopped', NAMESPACE), 'the relist after 410');
    expect(informer.list()).toHaveLength(initial + 1);

    mutatePods((pods) => pods.remove('while-stopped', NAMESPACE));
    await until(() => informer.list().length === initial, 'the deletion');
    await informer.stop();
  });

  test('an outage resets connections and drops watches; after it, lists and informers recover', async () => {
    const id = 'gy-city-phytium';
    const { kc, core } = clients(clusterOf(fleet(), id));
    const watch = await recordWatch(kc, '/api/v1/nodes', {});
    const informer = makeInformer<KubernetesObject>(kc, '/api/v1/namespaces', () => core.listNamespace());
    const informerErrors: unknown[] = [];
    informer.on('error', (error) => informerErrors.push(error));
    await informer.start();

    fleet().setDown(id, true);
    expect(await watch.done).toBeInstanceOf(Error);
    await until(() => informerErrors.length > 0, 'the informer error');
    await expect(core.listNode()).rejects.toThrow();
    // Other clusters on the same server keep answering.
    await expect(clients(clusterOf(fleet(), CLUSTER)).core.listNode()).resolves.toBeDefined();

    fleet().setDown(id, false);
    expect((await core.listNode()).items).toHaveLength(clusterOf(fleet(), id).spec.nodes);
    await informer.start();
    expect(informer.list().length).toBeGreaterThan(0);
    await informer.stop();
  });
});
