/**
 * MITRE ATT&CK references in source tags. Falco rules tag `T1611` and `mitre_privilege_escalation`;
 * Sigma rules tag `attack.t1611` and `attack.privilege_escalation`. Events keep tags verbatim in
 * `finding_info.types`; this reads them back as model tactics and techniques.
 */
import { MitreTactic } from '../model/fragments.js';

export interface MitreRefs {
  tactics: MitreTactic[];
  techniques: string[];
}

const TECHNIQUE = /^(?:attack\.)?(t\d{4}(?:\.\d{3})?)$/i;
const TACTIC = /^(?:mitre_|attack\.)([a-z_-]+)$/i;

export function mitreFromTags(tags: readonly string[]): MitreRefs {
  const tactics = new Set<MitreTactic>();
  const techniques = new Set<string>();
  for (const tag of tags) {
    const technique = TECHNIQUE.exec(tag);
    if (technique) {
      techniques.add(technique[1]!.toUpperCase());
      continue;
    }
    const tactic = TACTIC.exec(tag);
    const parsed = tactic && MitreTactic.safeParse(tactic[1]!.toLowerCase().replaceAll('_', '-'));
    if (parsed?.success) tactics.add(parsed.data);
  }
  return { tactics: [...tactics], techniques: [...techniques] };
}
