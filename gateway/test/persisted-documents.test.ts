import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPersistedDocuments, persistedDocumentStore } from '../src/persisted-documents.js';

const DOCUMENT = 'query Me { me { id } }';
const HASH = createHash('sha256').update(DOCUMENT).digest('hex');

async function manifestFile(content: unknown): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'manifest-')), 'persisted-documents.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}

describe('loadPersistedDocuments', () => {
  it('reads the documents by their hash', async () => {
    expect(await loadPersistedDocuments(await manifestFile({ [HASH]: DOCUMENT }))).toEqual(new Map([[HASH, DOCUMENT]]));
  });

  it('refuses a manifest whose hash does not match its document', async () => {
    await expect(loadPersistedDocuments(await manifestFile({ [HASH]: `${DOCUMENT} ` }))).rejects.toThrow(/does not have that SHA-256 hash/);
    await expect(loadPersistedDocuments(await manifestFile([DOCUMENT]))).rejects.toThrow(/not a persisted-documents manifest/);
  });
});

describe('persistedDocumentStore', () => {
  const documents = new Map([[HASH, DOCUMENT]]);

  it('keeps documents clients register, unless only listed documents are allowed', async () => {
    const open = persistedDocumentStore(documents, { onlyListed: false });
    await open.set('abc', '{ me { id } }');
    expect(await open.get('abc')).toBe('{ me { id } }');
    expect(await open.get(HASH)).toBe(DOCUMENT);

    const listed = persistedDocumentStore(documents, { onlyListed: true });
    await listed.set('abc', '{ me { id } }');
    expect(await listed.get('abc')).toBeUndefined();
    expect(await listed.get(HASH)).toBe(DOCUMENT);
  });
});
