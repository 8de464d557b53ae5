// loadRulePack reads the YAML next to the module, and the build's asset copy puts the same files
// where the compiled module will look for them.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULE_PACK_DIR, loadRulePack } from '../../../server/detection/rule-pack.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('loadRulePack', () => {
  test('returns every rule file once, by sorted /-separated path inside the pack', async () => {
    const pack = await loadRulePack();
    const paths = pack.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toContain('kubernetes-audit/pod-exec-or-attach.yml');
    expect(paths).toContain('falco/reverse-shell.yml');
    expect(paths).toContain('correlations/exec-then-secret-reads.yml');
    expect(paths.every((p) => /^(kubernetes-audit|falco|correlations)\/[a-z0-9-]+\.yml$/.test(p))).toBe(true);
    expect(pack.every((f) => f.yaml.startsWith('title: '))).toBe(true);
  });

  test('a missing folder is an error naming it, not a crash', async () => {
    const missing = join(tmpdir(), 'yunshu-no-such-rule-pack');
    await expect(loadRulePack(missing)).rejects.toThrow(`rule pack folder ${missing} does not exist`);
  });

  test('scripts/copy-assets.mjs puts the pack where the compiled module looks for it', async () => {
    const out = await mkdtemp(join(tmpdir(), 'yunshu-assets-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts/copy-assets.mjs'), out], { stdio: 'pipe' });
      // The compiled module sits at <out>/server/detection/, as this one sits at server/detection/.
      const copied = join(out, RULE_PACK_DIR.slice(ROOT.length));
      expect(await loadRulePack(copied)).toEqual(await loadRulePack());
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
