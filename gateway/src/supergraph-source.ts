import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

/** Where the served supergraph comes from, and how the gateway learns it may have changed. */
export interface SupergraphSource {
  /** The file or URL, for logs and `/ready`. */
  readonly location: string;
  /** The supergraph's text as it is now. */
  read(): Promise<string>;
  /**
   * Calls `changed` whenever the supergraph may have changed, and `failed` if watching breaks
   * down later; returns what stops watching. Throws when it cannot watch at all.
   */
  watch(changed: () => void, failed: (error: Error) => void): () => void;
}

/** Bursts of file events (an editor's save, a ConfigMap update) settle into one read. */
const SETTLE_MS = 100;

/**
 * A supergraph file. Its directory is watched, not the file: editors and `npm run compose` may
 * replace the file by renaming another over it, and Kubernetes updates a mounted ConfigMap by
 * swapping a symbolic link beside it (`..data`), neither of which a watch on the old file sees.
 */
export function fileSupergraph(path: string): SupergraphSource {
  const file = resolve(path);
  return {
    location: file,
    read: () => readFile(file, 'utf8'),
    watch(changed, failed) {
      let settling: NodeJS.Timeout | undefined;
      const watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
        // Events for other files of a directory we own nothing else in are still read: a ConfigMap's swap names `..data`.
        if (name !== null && name !== basename(file) && !name.startsWith('..')) return;
        clearTimeout(settling);
        settling = setTimeout(changed, SETTLE_MS);
      });
      watcher.on('error', failed);
      return () => {
        clearTimeout(settling);
        watcher.close();
      };
    },
  };
}

/**
 * A supergraph served over HTTP (a schema registry, an object store), asked for every
 * `pollSeconds` with the validators it last answered (ETag, Last-Modified), so an unchanged
 * supergraph costs a 304.
 */
export function urlSupergraph(url: string, pollSeconds: number, timeoutMs = 10_000): SupergraphSource {
  let last: { text: string; etag: string | null; lastModified: string | null } | undefined;
  return {
    location: url,
    async read() {
      const headers: Record<string, string> = {};
      if (last?.etag) headers['if-none-match'] = last.etag;
      if (last?.lastModified) headers['if-modified-since'] = last.lastModified;
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      if (response.status === 304 && last) return last.text;
      if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
      last = { text: await response.text(), etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
      return last.text;
    },
    watch(changed) {
      const timer = setInterval(changed, pollSeconds * 1000);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
