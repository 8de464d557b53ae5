/** Where each process records how far detection has got, for replay after a crash. */
import type { CollectionSpec, StoredDoc } from '../store/port.js';

export interface DetectionCheckpoint extends StoredDoc {
  /** Events stored at or after this time may not have been through detection. */
  at: string;
}

export const detectionCheckpointsSpec: CollectionSpec = { name: 'detection_checkpoints', indexes: [] };
