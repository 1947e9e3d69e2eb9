import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** A throw-away copy of the repository: what the tutorial's reader has checked out, outside the real one. */
export interface RepositoryCopy {
  root: string;
  remove(): Promise<void>;
}

/**
 * Copies the working tree (tracked files and new ones not ignored, as they are now) to a temporary
 * folder. Its node_modules is no install: a folder of links to the real one's packages, except the
 * workspaces (`@shop/*`), which point at the copy's own folders, so the copy runs its own code.
 * Nothing in the copy can write into the real repository through them: the tools write caches
 * (.vite, .vite-temp, .cache) under the copy's node_modules, a folder of its own.
 */
export async function copyRepository(source: string): Promise<RepositoryCopy> {
  const root = await mkdtemp(join(tmpdir(), 'shop-tutorial-'));
  const remove = () => rm(root, { recursive: true, force: true, maxRetries: 3 });
  try {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: source, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .split('\0')
      .filter((path) => path !== '' && !path.split('/').includes('node_modules'));
    for (const path of new Set(files)) {
      const from = resolve(source, path);
      // Deleted in the working tree but still tracked: the copy has it deleted too.
      if (!(await stat(from).catch(() => undefined))?.isFile()) continue;
      await mkdir(dirname(join(root, path)), { recursive: true });
      await copyFile(from, join(root, path));
    }
    await linkNodeModules(source, root);
    return { root, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

async function linkNodeModules(source: string, root: string): Promise<void> {
  const modules = join(root, 'node_modules');
  await mkdir(join(modules, '@shop'), { recursive: true });
  for (const entry of await readdir(join(source, 'node_modules'))) {
    // Caches and npm's record of the installed tree stay the copy's own (none yet).
    if (entry.startsWith('.') && entry !== '.bin') continue;
    if (entry === '@shop') continue;
    await symlink(join(source, 'node_modules', entry), join(modules, entry));
  }
  // The same relative links as the real ones (../../service-kit), so they land in the copy.
  for (const workspace of await readdir(join(source, 'node_modules', '@shop'))) {
    await symlink(await readlink(join(source, 'node_modules', '@shop', workspace)), join(modules, '@shop', workspace));
  }
  // A workspace's own node_modules (a version the root does not hoist).
  for (const workspace of ['service-kit', 'gateway', 'sdk', 'storefront', ...(await readdir(join(source, 'subgraphs'))).map((name) => `subgraphs/${name}`)]) {
    const own = join(source, workspace, 'node_modules');
    if ((await stat(own).catch(() => undefined))?.isDirectory() && (await stat(join(root, workspace)).catch(() => undefined))) {
      await symlink(own, join(root, workspace, 'node_modules'));
    }
  }
}
