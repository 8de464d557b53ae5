import { basename, dirname } from 'node:path';
import type { RulePackFile } from '../../../server/detection/rule-pack.js';

/** The folder a pack rule sits in, which names its source: `kubernetes-audit` or `falco`. */
export const sourceOf = (file: RulePackFile): string => dirname(file.path);

/** The rule's file name without extension; its fixtures live in test/fixtures/rule-pack/<stem>/. */
export const stemOf = (file: RulePackFile): string => basename(file.path).replace(/\.ya?ml$/, '');

/** Correlation rules sit in `correlations/`; they combine detection rules and have no logsource. */
export const isCorrelation = (file: RulePackFile): boolean => sourceOf(file) === 'correlations';
