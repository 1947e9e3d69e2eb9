import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder (where package.json is). Light on purpose: `npm start` imports it. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
