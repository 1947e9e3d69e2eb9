// npm run docs:reference: regenerates the configuration and API references in docs/ (a test
// fails while the committed pages differ from what this writes).
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { apiReference, API_REFERENCE_FILE } from './api-reference.js';
import { configurationReference, CONFIGURATION_REFERENCE_FILE } from './configuration-reference.js';
import { ROOT } from './root.js';

try {
  const configuration = await configurationReference();
  if (configuration.problems.length > 0) {
    throw new Error(`The schemas and .env.example disagree:\n${configuration.problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
  await writeFile(CONFIGURATION_REFERENCE_FILE, configuration.markdown);
  await writeFile(API_REFERENCE_FILE, await apiReference());
  console.log(`wrote ${relative(ROOT, CONFIGURATION_REFERENCE_FILE)} and ${relative(ROOT, API_REFERENCE_FILE)}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
