// The per-correlation state machine on its own: bounded state and event-time handling.
import { dotPath } from '../../../server/detection/sigma/compile.js';
import { Correlator, type CorrelatorSpec } from '../../../server/detection/correlation/correlator.js';

const user = dotPath('user.username');
const spec = (overrides: Partial<CorrelatorSpec> = {}): CorrelatorSpec => ({
  type: 'event_count',
  ruleCount: 1,
  timespanMs: 60_000,
  condition: { gte: 3 },
  groupBy: [{ name: 'user.username', read: [user] }],
  maxGroups: 100,
  ...overrides,
});
const hit = (id: string, time: number) => ({ eventIds: [id], firstTime: time, time });
const view = (name: string) => ({ user: { username: name } });

test('groups whose window is over are dropped as event time advances', () => {
  const correlator = new Correlator(spec());
  correlator.observe(0, hit('a', 0), view('alice'));
  correlator.observe(0, hit('b', 30_000), view('bob'));
  expect(correlator.groupCount).toBe(2);
  expect(correlator.close(70_000)).toEqual([]);
  expect(correlator.groupCount).toBe(1); // alice's last hit is more than a timespan old
  correlator.close(100_000);
  expect(correlator.groupCount).toBe(0);
});

test('the number of groups never exceeds the cap', () => {
  const correlator = new Correlator(spec({ maxGroups: 1000 }));
  for (let i = 0; i < 5000; i++) correlator.observe(0, hit(`e${i}`, i), view(`user-${i}`));
  expect(correlator.groupCount).toBe(1000);
});

test('a hit arriving late but within the window counts, in time order', () => {
  const correlator = new Correlator(spec());
  correlator.observe(0, hit('b', 20_000), view('alice'));
  correlator.observe(0, hit('c', 30_000), view('alice'));
  expect(correlator.observe(0, hit('a', 10_000), view('alice'))).toEqual({
    groupBy: { 'user.username': 'alice' },
    eventIds: ['a', 'b', 'c'],
    firstEventTime: 10_000,
    lastEventTime: 30_000,
  });
});

test('a hit older than the window is ignored', () => {
  const correlator = new Correlator(spec());
  correlator.observe(0, hit('b', 100_000), view('alice'));
  correlator.observe(0, hit('c', 110_000), view('alice'));
  expect(correlator.observe(0, hit('a', 10_000), view('alice'))).toBeUndefined();
});

test('an upper-bound window keeps no more entries than can change the outcome', () => {
  const correlator = new Correlator(spec({ condition: { lte: 2 } }));
  for (let i = 0; i < 1000; i++)
    expect(correlator.observe(0, hit(`e${i}`, i), view('alice'))).toBeUndefined();
  expect(correlator.close(120_000)).toEqual([]); // 1000 > 2
});

test('group-by values that are not strings are compared by their text', () => {
  const correlator = new Correlator(
    spec({ groupBy: [{ name: 'sourceIPs', read: [dotPath('sourceIPs')] }], condition: { gte: 2 } }),
  );
  correlator.observe(0, hit('a', 0), { sourceIPs: ['10.0.0.1'] });
  expect(correlator.observe(0, hit('b', 1), { sourceIPs: ['10.0.0.2'] })).toBeUndefined();
  expect(correlator.observe(0, hit('c', 2), { sourceIPs: ['10.0.0.1'] })?.groupBy).toEqual({
    sourceIPs: '["10.0.0.1"]',
  });
});
