/** Heterogeneous-fleet (信创) analysis: CPU / OS / accelerator profiles and the arch-mismatch finder. */
export { acceleratorsOf } from './accelerators.js';
export {
  findArchMismatches,
  type ArchEvidence,
  type ArchEvidenceKind,
  type ArchMismatchFinding,
  type ArchMismatchInput,
  type ImagePlatformResolver,
} from './arch-mismatch.js';
export { AGENT_KEYS, cpuProfileOf, type CpuProfile, type CpuSource } from './cpu-profile.js';
export {
  OciImagePlatformResolver,
  parseImageRef,
  type ImageRef,
  type OciResolverOptions,
} from './image-platforms.js';
export { osProfileOf, type OsProfile } from './os-profile.js';
