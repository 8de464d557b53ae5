// Copies the non-TypeScript files the server reads at run time into the build output, next to the
// compiled modules that read them (tsc emits .js only). Run after `tsc -p tsconfig.build.json`:
//   node scripts/copy-assets.mjs [outDir]     (outDir defaults to dist)
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = resolve(root, process.argv[2] ?? 'dist');

// Folders relative to the repository root; each lands at the same relative path under outDir.
const ASSET_DIRS = ['server/detection/rules'];

for (const dir of ASSET_DIRS) {
  // Replace, not merge, so a file deleted from the sources does not live on in the build.
  rmSync(join(outDir, dir), { recursive: true, force: true });
  cpSync(join(root, dir), join(outDir, dir), { recursive: true });
  console.log(`copied ${dir} → ${join(outDir, dir)}`);
}
