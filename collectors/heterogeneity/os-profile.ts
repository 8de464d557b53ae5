/**
 * Operating system family and version from `status.nodeInfo.osImage` (the PRETTY_NAME of the
 * node's os-release). The family comes from the model's `osFamilyOf`, so the inventory and this
 * profile never disagree; this file only adds the version details.
 */
import { osFamilyOf, type OsFamily } from '../../server/model/index.js';

export interface OsProfile {
  family: OsFamily;
  /** Release as the vendor numbers it, e.g. V10, 20, 22.03, 8.8, 22.04.3. */
  version?: string;
  /** Service pack / update, e.g. SP2 (Kylin), LTS-SP3 (openEuler). */
  servicePack?: string;
  /** Release code name, e.g. Sword (Kylin), bookworm (Debian), Plow (RHEL). */
  codename?: string;
}

/**
 * Kylin Advanced Server V10 code names → service pack. Tercel = SP1 and Sword = SP2 are stated by
 * vendor-facing docs; Halberd is SP3 (2403 update); Lance sits between them on the kernel
 * release line (v2207) and is taken as SP3. See docs/heterogeneity.md.
 */
const KYLIN_V10_SP: Readonly<Record<string, string>> = {
  tercel: 'SP1',
  sword: 'SP2',
  lance: 'SP3',
  halberd: 'SP3',
};

const VERSION = /\b[Vv]?(\d+(?:\.\d+)*)\b/;
const PARENTHESISED = /\(([^)]+)\)/;
const EXPLICIT_SP = /\b(SP\d+)\b/i;

export function osProfileOf(osImage: string): OsProfile {
  const family = osFamilyOf(osImage);
  const inParens = PARENTHESISED.exec(osImage)?.[1]?.trim();
  const explicitSp = EXPLICIT_SP.exec(osImage)?.[1]?.toUpperCase();

  switch (family) {
    case 'kylin': {
      const version = /\bV\d+\b/i.exec(osImage)?.[0]?.toUpperCase();
      const servicePack =
        explicitSp ?? (version === 'V10' && inParens ? KYLIN_V10_SP[inParens.toLowerCase()] : undefined);
      return { family, version, servicePack, codename: inParens };
    }
    case 'openeuler': {
      // "openEuler 20.03 (LTS-SP3)", "openEuler 22.03 LTS": the parenthesis is the LTS / SP tag.
      const version = /\b\d{2}\.\d{2}\b/.exec(osImage)?.[0];
      const tag = inParens ?? /\bLTS(?:-SP\d+)?\b/i.exec(osImage)?.[0];
      return { family, version, servicePack: tag };
    }
    case 'ubuntu': {
      const version = /\b\d+\.\d+(?:\.\d+)?(?:\s+LTS)?\b/.exec(osImage)?.[0];
      return { family, version };
    }
    default: {
      // UOS ("UnionTech OS Server 20"), Anolis, CentOS, Debian, RHEL, others: "<name> <version> (<codename>)".
      const version = VERSION.exec(osImage)?.[1];
      return { family, version, servicePack: explicitSp, codename: inParens };
    }
  }
}
