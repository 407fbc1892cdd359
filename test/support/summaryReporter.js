// Prints one plain closing line ("tests: N passed, N failed, N skipped") after jest's own summary, so that
// CI logs state the outcome in a form any tool can read.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stderr.write(`tests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped\n`);
  }
}
