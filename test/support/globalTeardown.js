import { dropTemplateDatabase } from '../../dist/test/support/templateDatabase.js';

export default async function globalTeardown() {
  await dropTemplateDatabase(process.env.AA_TEST_TEMPLATE_DB);
}
