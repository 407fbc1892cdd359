// Runs once per jest run, outside jest's module system, so it uses the compiled code (`npm test` builds first).
import { prepareTemplateDatabase } from '../../dist/test/support/templateDatabase.js';

export default async function globalSetup() {
  await prepareTemplateDatabase();
}
