import { writeFile } from 'node:fs/promises';
import { API_SCHEMA_FILE, apiSchemaOf, composeSupergraph, KUBERNETES_SUPERGRAPH_FILE, SUPERGRAPH_FILE } from './supergraph.js';

try {
  const supergraph = await composeSupergraph();
  await writeFile(SUPERGRAPH_FILE, supergraph);
  await writeFile(KUBERNETES_SUPERGRAPH_FILE, supergraph);
  await writeFile(API_SCHEMA_FILE, apiSchemaOf(supergraph));
  console.log(`composed ${SUPERGRAPH_FILE} (and its Kubernetes copy, ${KUBERNETES_SUPERGRAPH_FILE}) and ${API_SCHEMA_FILE}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
