/**
 * The Sigma rules Yunshu ships: one rule per YAML file under `rules/<source>/` next to this module
 * (`kubernetes-audit/` for `product: kubernetes, service: audit`, `falco/` for `product: falco`).
 * The folder is found from this module's URL, so the same code reads `server/detection/rules/` in
 * the source tree and `dist/server/detection/rules/` once `scripts/copy-assets.mjs` has copied it
 * next to the compiled module (tsc copies no YAML).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RulePackFile {
  /** Path inside the pack, `/`-separated, e.g. `falco/reverse-shell.yml`. */
  path: string;
  yaml: string;
}

export const RULE_PACK_DIR = fileURLToPath(new URL('./rules/', import.meta.url));

const isRuleFile = (name: string): boolean => name.endsWith('.yml') || name.endsWith('.yaml');

/** Every rule file of the pack, sorted by path; `dir` is for tests. */
export async function loadRulePack(dir: string = RULE_PACK_DIR): Promise<RulePackFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`rule pack folder ${dir} does not exist (a build must copy server/detection/rules)`, {
        cause: err,
      });
    }
    throw err;
  }
  const paths = entries
    .filter((e) => e.isFile() && isRuleFile(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
  if (paths.length === 0) throw new Error(`rule pack folder ${dir} holds no .yml or .yaml rule files`);
  return Promise.all(paths.map(async (path) => ({ path, yaml: await readFile(join(dir, path), 'utf8') })));
}
