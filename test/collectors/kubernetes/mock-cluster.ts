/**
 * A KubeConfig whose requests go to undici's MockAgent. client-node v2 sends every request through
 * undici with a per-request dispatcher built from the kubeconfig, which nock (Node http/global fetch)
 * cannot see; MockAgent is undici's own interceptor, used the same way.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { MockAgent, type Dispatcher } from 'undici';

export const MOCK_SERVER = 'http://k8s.mock.test';

export function mockCluster(): { kc: KubeConfig; agent: MockAgent; pool: ReturnType<MockAgent['get']> } {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'mock', server: MOCK_SERVER, skipTLSVerify: false }],
    users: [{ name: 'mock', token: 'mock-token' }],
    contexts: [{ name: 'mock', cluster: 'mock', user: 'mock' }],
    currentContext: 'mock',
  });
  // createDispatcher is private in the typings; overriding it is how every request reaches the mock.
  (kc as unknown as { createDispatcher: () => Dispatcher }).createDispatcher = () =>
    agent as unknown as Dispatcher;
  return { kc, agent, pool: agent.get(MOCK_SERVER) };
}

export const ndjson = (...events: object[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

export const pod = (uid: string, resourceVersion: string, extra: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    uid,
    name: `pod-${uid}`,
    namespace: 'default',
    resourceVersion,
    managedFields: [{ manager: 'x' }],
  },
  ...extra,
});
