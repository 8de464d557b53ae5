// Ends every jest run with one plain line, `tests: N passed, N failed, N skipped`, that CI reads.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const suitesFailed = results.numFailedTestSuites;
    process.stdout.write(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests + (suitesFailed && !results.numFailedTests ? suitesFailed : 0)} failed, ${skipped} skipped\n`,
    );
  }
}
