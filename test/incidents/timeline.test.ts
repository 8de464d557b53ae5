/** The bounded incident timeline. */
import { MAX_TIMELINE_ENTRIES, withEntries } from '../../server/incidents/timeline.js';
import type { TimelineEntry } from '../../server/model/incident.js';

const entry = (kind: TimelineEntry['kind'], minute: number): TimelineEntry => ({
  kind,
  at: `2026-11-20T10:${String(minute).padStart(2, '0')}:00.000Z`,
  text: `${kind} ${minute}`,
});
const texts = (timeline: TimelineEntry[]) => timeline.map((e) => e.text);

test('entries are inserted in time order, after entries of the same time', () => {
  const timeline = withEntries(
    [entry('alert', 1), entry('alert', 5)],
    [entry('event', 0), entry('comment', 5), entry('comment', 3)],
  );
  expect(texts(timeline)).toEqual(['event 0', 'alert 1', 'comment 3', 'alert 5', 'comment 5']);
});

test('when full, the oldest events and alert occurrences go before any responder entry', () => {
  const timeline = [
    entry('comment', 0),
    entry('alert', 1),
    entry('event', 2),
    entry('status_change', 3),
    entry('alert', 4),
  ];
  expect(texts(withEntries(timeline, [entry('playbook_step', 5)], 4))).toEqual([
    'comment 0',
    'status_change 3',
    'alert 4',
    'playbook_step 5',
  ]);
});

test('with only responder entries left, the oldest go', () => {
  const comments = [entry('comment', 0), entry('comment', 1), entry('comment', 2)];
  expect(texts(withEntries(comments, [entry('comment', 3)], 3))).toEqual([
    'comment 1',
    'comment 2',
    'comment 3',
  ]);
});

test('the model bound is the default', () => {
  const full = Array.from({ length: MAX_TIMELINE_ENTRIES }, (_, i) => ({
    ...entry('alert', 0),
    text: `a${i}`,
  }));
  const timeline = withEntries(full, [entry('comment', 1)]);
  expect(timeline).toHaveLength(MAX_TIMELINE_ENTRIES);
  expect(timeline[0]!.text).toBe('a1');
  expect(timeline.at(-1)!.text).toBe('comment 1');
});
