import { writeFile } from 'node:fs/promises';
import { composeSupergraph, SUPERGRAPH_FILE } from './supergraph.js';

try {
  await writeFile(SUPERGRAPH_FILE, await composeSupergraph());
  console.log(`composed ${SUPERGRAPH_FILE}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
