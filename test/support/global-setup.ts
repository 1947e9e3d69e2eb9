import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { dropTemplates, makeTemplates, type Templates } from './templates.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templates: Templates;
  }
}

/** Once per run: each service's migrated and seeded database, which every stack copies. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'shop-templates-'));
  const adminUrl = process.env.TEST_DATABASE_URL;
  const templates = await makeTemplates(dir, adminUrl);
  project.provide('templates', templates);
  return async () => {
    await dropTemplates(templates, adminUrl);
    await rm(dir, { recursive: true, force: true });
  };
}
