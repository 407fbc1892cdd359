// Runs once per jest run, outside jest's module system, so it uses the compiled code (`npm test` builds first).
import { randomBytes } from 'node:crypto';
import { prepareTemplateDatabase } from '../../dist/test/support/templateDatabase.js';

export default async function globalSetup() {
  // Test workers inherit this, so every file of this run clones this run's template and no other run touches it.
  process.env.AA_TEST_TEMPLATE_DB = `aa_test_template_${randomBytes(4).toString('hex')}`;
  await prepareTemplateDatabase(process.env.AA_TEST_TEMPLATE_DB);
}
