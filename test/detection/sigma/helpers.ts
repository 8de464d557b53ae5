import {
  compileSigma,
  type CompileOptions,
  type SigmaPredicate,
} from '../../../server/detection/sigma/compile.js';

/** A minimal valid rule around a `detection:` block written as YAML lines. */
export function ruleYaml(detection: string, extra = ''): string {
  const body = detection
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `title: Test rule\nid: 5f0c2b8e-1b7a-4c8e-9d3f-2a6b7c8d9e0f\n${extra}logsource:\n  product: test\ndetection:\n${body}\n`;
}

export function predicate(detection: string, options?: CompileOptions): SigmaPredicate {
  return compileSigma(ruleYaml(detection), options).match;
}
