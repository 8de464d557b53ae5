/** Runs in a worker thread of the NormalizePool: parses and normalises one payload. */
import type { NormalizeResult } from './normalize/index.js';
import { RECEIVERS, type ReceiverSource } from './receivers.js';

export interface NormalizeTask {
  source: ReceiverSource;
  payload: string;
  ctx: { clusterId?: string; node?: string };
}

export default function normalize(task: NormalizeTask): NormalizeResult {
  return RECEIVERS[task.source](task.payload, task.ctx);
}
