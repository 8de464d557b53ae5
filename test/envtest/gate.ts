// Runs a suite only when the envtest binaries are built. REQUIRE_SERVICES=1 (CI) turns a missing
// build into a failure instead of a skip, so a green run always means the suite really ran.
import { ENVTEST_BUILD_HINT, missingEnvtestBinaries } from './envtest.js';

export function describeWithEnvtest(name: string, suite: () => void): void {
  const missing = missingEnvtestBinaries();
  if (missing.length === 0) {
    describe(name, suite);
    return;
  }
  const reason = `envtest binaries missing (${missing.join(', ')}): ${ENVTEST_BUILD_HINT}`;
  if (process.env.REQUIRE_SERVICES === '1') {
    describe(name, () => {
      it('has the envtest binaries (REQUIRE_SERVICES=1)', () => {
        throw new Error(reason);
      });
    });
    return;
  }
  console.warn(`SKIPPED ${name}: ${reason}`);
  describe.skip(name, suite);
}
