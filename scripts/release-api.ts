import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { API_BASELINE_FILE, API_SCHEMA_FILE, apiReport, CHANGELOG_FILE, checkApi, readApiInputs, withoutComments } from './check-api.js';
import { ROOT } from './root.js';

/** What a fresh unreleased section holds: an empty "Breaking" list, the one check:api reads. */
export const UNRELEASED_TEMPLATE = `## [Unreleased]

### Breaking

<!-- One bullet per breaking change that check:api reports, naming its path (or its message), e.g.
- \`Product.description\`: removed (deprecated since 0.2.0); read \`Product.summary\` instead. -->
`;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * CHANGELOG.md once `version` is released on `date` (YYYY-MM-DD): the unreleased section's entries
 * move under `## [version] - date`, without the template's comments and empty subsections, and a
 * fresh unreleased section takes their place. Throws when there is no unreleased section, when it
 * lists nothing (a release says what changed), or when `version` has a heading already.
 */
export function releasedChangelog(changelog: string, version: string, date: string): string {
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`"${version}" is not a version (x.y.z)`);
  if (new RegExp(`^##\\s+\\[?${escapeRegExp(version)}\\]?(\\s|$)`, 'm').test(changelog)) {
    throw new Error(`CHANGELOG.md has a section for ${version} already: pass the new version, e.g. \`npm run release:api -- 0.2.0\``);
  }
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => /^##\s+\[?unreleased\]?\s*$/i.test(line));
  if (start === -1) throw new Error('CHANGELOG.md has no "## [Unreleased]" section to release');
  const end = lines.findIndex((line, index) => index > start && /^#{1,2} /.test(line));
  const rest = end === -1 ? [] : lines.slice(end);

  // Subsections (### Added, ### Breaking, ...) with no entries left once comments are gone are dropped.
  const subsections: string[][] = [[]];
  for (const line of withoutComments(lines.slice(start + 1, end === -1 ? undefined : end).join('\n')).split('\n')) {
    if (line.startsWith('### ')) subsections.push([line]);
    else subsections[subsections.length - 1]!.push(line);
  }
  // Each kept subsection as its heading, a blank line and its entries, without the blank lines a removed comment leaves.
  const kept = subsections
    .map((section) => {
      const heading = section[0]?.startsWith('### ') ? section[0] : undefined;
      const entries = (heading === undefined ? section : section.slice(1)).join('\n').replace(/\n{3,}/g, '\n\n').trim();
      return entries === '' ? '' : heading === undefined ? entries : `${heading}\n\n${entries}`;
    })
    .filter((section) => section !== '');
  if (kept.length === 0) throw new Error('CHANGELOG.md\'s "## [Unreleased]" section lists nothing: write what changed first');
  const body = kept.join('\n\n');

  return [...lines.slice(0, start), UNRELEASED_TEMPLATE, `## [${version}] - ${date}`, '', body, '', ...rest].join('\n');
}

/** The baseline for `version`: the public schema with its "generated, do not edit" header replaced by one saying what it is. */
export function baselineOf(schema: string, version: string): string {
  const sdl = schema.replace(/^(#[^\n]*\n)*\n*/, '');
  return `# The public API as released in ${version}: a copy of sdk/schema.graphql written by \`npm run release:api\`.\n# \`npm run check:api\` compares sdk/schema.graphql with it. Do not edit.\n\n${sdl}`;
}

/**
 * `npm run release:api [-- version]`: records the public API as released. Refuses while check:api
 * fails, so every breaking change in a release is in its notes. The version defaults to
 * package.json's.
 */
if (import.meta.main) {
  try {
    const version = process.argv[2] ?? (JSON.parse(await readFile(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const input = await readApiInputs();
    const { ok, lines } = apiReport(await checkApi(input));
    (ok ? console.log : console.error)(lines.join('\n'));
    if (!ok) throw new Error('release:api refused: list the breaking changes above in CHANGELOG.md first');
    const changelog = releasedChangelog(input.changelog, version, new Date().toISOString().slice(0, 10));
    await writeFile(CHANGELOG_FILE, changelog);
    await writeFile(API_BASELINE_FILE, baselineOf(input.current, version));
    console.log(
      `Released the public API as ${version}: ${relative(ROOT, API_SCHEMA_FILE)} copied to ${relative(ROOT, API_BASELINE_FILE)}, and CHANGELOG.md's unreleased entries moved under [${version}]. Commit both.`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
