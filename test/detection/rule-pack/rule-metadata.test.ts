// What a SOC analyst reads next to a hit: every pack rule carries MITRE ATT&CK tags that resolve to
// real tactics and techniques, a level, a status, a description and false positives, and a
// logsource that matches the folder (and so the normaliser) it sits in.
import { loadRulePack } from '../../../server/detection/rule-pack.js';
import { mitreFromTags } from '../../../server/detection/mitre.js';
import { parseSigmaRule } from '../../../server/detection/sigma/parse-rule.js';
import { isCorrelation, sourceOf } from './helpers.js';

const LOGSOURCE: Record<string, object> = {
  'kubernetes-audit': { product: 'kubernetes', service: 'audit' },
  falco: { product: 'falco' },
};

const pack = (await loadRulePack()).filter((file) => !isCorrelation(file));

describe.each(pack.map((file) => [file.path, file] as const))('%s', (_path, file) => {
  const rule = parseSigmaRule(file.yaml);

  test('has at least one ATT&CK tactic and technique, and every attack.* tag is a known one', () => {
    expect(rule.attack.tactics.length).toBeGreaterThanOrEqual(1);
    expect(rule.attack.techniques.length).toBeGreaterThanOrEqual(1);
    const unknown = rule.tags.filter((tag) => {
      const refs = mitreFromTags([tag]);
      return refs.tactics.length + refs.techniques.length === 0;
    });
    expect(unknown).toEqual([]);
  });

  test('has a level, a shipped status, an author, a description and false positives', () => {
    expect(rule.level).toBeDefined();
    expect(['stable', 'test']).toContain(rule.status);
    expect(rule.author).toBe('Yunshu');
    expect(rule.description?.trim().length).toBeGreaterThan(40);
    expect(rule.falsepositives.length).toBeGreaterThanOrEqual(1);
  });

  test('reads the logsource of its folder', () => {
    expect(rule.logsource).toEqual(LOGSOURCE[sourceOf(file)]);
  });
});
