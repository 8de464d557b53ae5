import { readFileSync } from 'node:fs';
import { SecurityEventSchema } from '../../server/model/index.js';
import type { NormalizeResult } from '../../server/ingest/normalize/index.js';

export const fixture = (path: string): string =>
  readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

/** Every produced event must be a valid stored SecurityEvent once the store adds its fields. */
export function expectStorable(result: NormalizeResult): void {
  for (const event of result.events) {
    const stored = {
      ...event,
      id: 'evt-test',
      version: 1,
      createdAt: '2026-11-23T05:00:00.000Z',
      updatedAt: '2026-11-23T05:00:00.000Z',
    };
    const parsed = SecurityEventSchema.safeParse(stored);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toEqual(stored);
  }
}
