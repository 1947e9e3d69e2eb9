import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { buildSchema } from 'graphql';
import { type Change, ChangeType, CriticalityLevel, diff } from '@graphql-inspector/core';
import { ROOT } from './root.js';

// The same path as supergraph.ts's API_SCHEMA_FILE, stated again so that this check does not load
// Apollo's composition (which supergraph.ts imports) just to read one file.
export const API_SCHEMA_FILE = resolve(ROOT, 'sdk/schema.graphql');
/** The public API as last released: `npm run release:api` writes it, nothing else should. */
export const API_BASELINE_FILE = resolve(ROOT, 'contracts/public-api.graphql');
export const CHANGELOG_FILE = resolve(ROOT, 'CHANGELOG.md');

/** The three texts the check compares; the CLI reads them from the files above, tests pass their own. */
export interface ApiCheckInput {
  /** The last released public schema (contracts/public-api.graphql). */
  baseline: string;
  /** The public schema now (sdk/schema.graphql). */
  current: string;
  /** CHANGELOG.md. */
  changelog: string;
}

export interface ApiCheck {
  /** Every breaking change from the baseline to the current schema, listed or not. */
  breaking: Change[];
  /** Changes that break only clients that do not expect them (an enum value added, a default changed): printed, never fatal. */
  dangerous: Change[];
  /** The breaking changes that CHANGELOG.md's unreleased "Breaking" list does not name: the check fails while any is left. */
  unlisted: Change[];
}

export async function readApiInputs(): Promise<ApiCheckInput> {
  const [baseline, current, changelog] = await Promise.all(
    [API_BASELINE_FILE, API_SCHEMA_FILE, CHANGELOG_FILE].map((file) => readFile(file, 'utf8')),
  );
  return { baseline: baseline!, current: current!, changelog: changelog! };
}

/** Compares the two schemas with graphql-inspector and sorts its changes by what they do to clients. */
export async function checkApi({ baseline, current, changelog }: ApiCheckInput): Promise<ApiCheck> {
  const changes = await diff(buildSchema(baseline), buildSchema(current));
  const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
  const dangerous = changes.filter((change) => change.criticality.level === CriticalityLevel.Dangerous);
  const listed = unreleasedBreaking(changelog);
  return { breaking, dangerous, unlisted: breaking.filter((change) => !isListed(change, listed)) };
}

/** `## Unreleased` or Keep a Changelog's `## [Unreleased]`, in any case. */
const UNRELEASED_HEADING = /^##\s+\[?unreleased\]?\s*$/i;

/**
 * The lines of one section: from the first heading of `level` ('##' or '###') that `heading`
 * matches, up to the next heading of that level or a higher one. Undefined when there is none.
 */
export function sectionLines(lines: readonly string[], level: '##' | '###', heading: RegExp): string[] | undefined {
  const start = lines.findIndex((line) => line.startsWith(`${level} `) && heading.test(line));
  if (start === -1) return undefined;
  // A heading that ends this section: '#'s up to this level's count, then a space.
  const ends = new RegExp(`^#{1,${level.length}} `);
  const end = lines.findIndex((line, index) => index > start && ends.test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** HTML comments (the changelog's template hints) are no entries, whatever they contain. */
export const withoutComments = (markdown: string): string => markdown.replace(/<!--[\s\S]*?-->/g, '');

/**
 * The bullets under `### Breaking` in the unreleased section, each with its continuation lines
 * joined: the entries that may name a breaking change. Only headings and bullets count; this is
 * not a Markdown parser, and the changelog needs none.
 */
export function unreleasedBreaking(changelog: string): string[] {
  const unreleased = sectionLines(withoutComments(changelog).split('\n'), '##', UNRELEASED_HEADING) ?? [];
  const lines = sectionLines(unreleased, '###', /^###\s+breaking\b/i) ?? [];
  const bullets: string[] = [];
  for (const line of lines) {
    if (/^\s*[-*+]\s/.test(line)) bullets.push(line.replace(/^\s*[-*+]\s+/, ''));
    else if (line.trim() !== '' && bullets.length > 0) bullets.push(`${bullets.pop()!} ${line.trim()}`);
  }
  return bullets;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether an entry names the change: its path (`Product.price`, `Query.orders.first`) as a whole
 * name, so that `Product.price` is not taken for `Product.priceCents` nor `Query.orders` for
 * `Query.orders.first` (a sentence's full stop after the path is fine); or, for a change without
 * a path or when the path alone would say too little, its exact message as check:api prints it.
 */
export function isListed(change: Change, entries: readonly string[]): boolean {
  const path = change.path === undefined ? undefined : new RegExp(`(?<![\\w.])${escapeRegExp(change.path)}(?![\\w]|\\.\\w)`);
  return entries.some((entry) => (path?.test(entry) ?? false) || entry.includes(change.message));
}

const described = (change: Change): string => (change.path === undefined ? change.message : `${change.path}: ${change.message}`);

/**
 * A removed field or enum value that the release did not mark deprecated skipped the deprecation
 * policy (deprecate with a reason, remove after the next release). Listing it is still allowed, as
 * the project's owners may decide so; the hint makes sure they decide it knowingly.
 */
function skippedDeprecation(change: Change): boolean {
  // `Change` without its type parameter types `meta` as any; these are the two flags read here.
  const meta = change.meta as { isRemovedFieldDeprecated?: boolean; isEnumValueDeprecated?: boolean };
  return (
    (change.type === ChangeType.FieldRemoved && meta.isRemovedFieldDeprecated === false) ||
    (change.type === ChangeType.EnumValueRemoved && meta.isEnumValueDeprecated === false)
  );
}

/** What check:api prints, line by line; `ok` is false while a breaking change is unlisted. */
export function apiReport(check: ApiCheck): { ok: boolean; lines: string[] } {
  const schema = relative(ROOT, API_SCHEMA_FILE);
  const baseline = relative(ROOT, API_BASELINE_FILE);
  const lines: string[] = [];
  const listed = check.breaking.filter((change) => !check.unlisted.includes(change));
  if (listed.length > 0) {
    lines.push(`Breaking changes listed in CHANGELOG.md (released by the next \`npm run release:api\`):`);
    for (const change of listed) lines.push(`  ✓ ${described(change)}`);
  }
  if (check.dangerous.length > 0) {
    lines.push(`Dangerous changes (allowed; clients must cope with them, e.g. an enum value they do not know):`);
    for (const change of check.dangerous) lines.push(`  ! ${described(change)}`);
  }
  if (check.unlisted.length > 0) {
    lines.push(`${schema} breaks the released public API (${baseline}) in ${check.unlisted.length} way(s) that CHANGELOG.md does not list:`);
    for (const change of check.unlisted) {
      lines.push(`  ✗ ${described(change)}`);
      if (skippedDeprecation(change)) lines.push(`    (it was not @deprecated in the last release: the policy is to deprecate with a reason first and remove it after the next release)`);
    }
    lines.push(
      `Undo the change, or, if it is meant, add a bullet naming each one by its path (or its message) under "### Breaking" in CHANGELOG.md's "## [Unreleased]" section, e.g.`,
      `  - \`${check.unlisted[0]!.path ?? check.unlisted[0]!.message}\`: what changed and what clients should do instead.`,
    );
    return { ok: false, lines };
  }
  lines.push(
    check.breaking.length + check.dangerous.length === 0
      ? `${schema} is compatible with the released public API (${baseline}).`
      : `${schema}: every breaking change from the released public API (${baseline}) is listed in CHANGELOG.md.`,
  );
  return { ok: true, lines };
}

/** `npm run check:api`: exits 1 while a breaking change is not listed in CHANGELOG.md. */
if (import.meta.main) {
  const { ok, lines } = apiReport(await checkApi(await readApiInputs()));
  (ok ? console.log : console.error)(lines.join('\n'));
  if (!ok) process.exitCode = 1;
}
