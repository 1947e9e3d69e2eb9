import { buildSchema, type ConstDirectiveNode, Kind, parse, print, visit } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type ApiCheckInput, apiReport, checkApi, readApiInputs, unreleasedBreaking } from '../scripts/check-api.js';
import { baselineOf, releasedChangelog, UNRELEASED_TEMPLATE } from '../scripts/release-api.js';

/** The schema text without one field of one object type (its description goes with it). */
function withoutField(schema: string, typeName: string, fieldName: string): string {
  const document = visit(parse(schema), {
    ObjectTypeDefinition: (node) =>
      node.name.value === typeName ? { ...node, fields: node.fields?.filter((field) => field.name.value !== fieldName) } : undefined,
  });
  const changed = print(document);
  expect(changed).not.toBe(print(parse(schema)));
  return changed;
}

/** The schema text with one more value in an enum. */
function withEnumValue(schema: string, enumName: string, value: string): string {
  return print(
    visit(parse(schema), {
      EnumTypeDefinition: (node) =>
        node.name.value === enumName
          ? { ...node, values: [...(node.values ?? []), { kind: Kind.ENUM_VALUE_DEFINITION, name: { kind: Kind.NAME, value } }] }
          : undefined,
    }),
  );
}

/** An `@deprecated(reason: ...)` directive node. */
const deprecation = (reason: string): ConstDirectiveNode => ({
  kind: Kind.DIRECTIVE,
  name: { kind: Kind.NAME, value: 'deprecated' },
  arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'reason' }, value: { kind: Kind.STRING, value: reason } }],
});

/** The changelog with `lines` added right under the unreleased section's "### Breaking" heading. */
/**
 * The changelog as a release leaves it, its unreleased section back to the empty template: the
 * committed one may have entries waiting for the next release.
 */
function freshlyReleased(changelog: string): string {
  const unreleased = changelog.search(/^## \[Unreleased\]/m);
  const next = changelog.indexOf('\n## [', unreleased + 1);
  expect(unreleased).toBeGreaterThanOrEqual(0);
  expect(next).toBeGreaterThan(unreleased);
  return `${changelog.slice(0, unreleased)}${UNRELEASED_TEMPLATE}${changelog.slice(next)}`;
}

function listingBreaking(changelog: string, ...lines: string[]): string {
  const unreleased = changelog.indexOf('## [Unreleased]');
  const breaking = changelog.indexOf('### Breaking\n', unreleased);
  expect(unreleased).toBeGreaterThanOrEqual(0);
  expect(breaking).toBeGreaterThan(unreleased);
  const at = breaking + '### Breaking\n'.length;
  return `${changelog.slice(0, at)}\n${lines.join('\n')}\n${changelog.slice(at)}`;
}

const paths = (changes: { path?: string }[]) => changes.map((change) => change.path);

describe('public API compatibility (npm run check:api)', () => {
  let repository: ApiCheckInput | undefined;
  const load = async () => (repository ??= await readApiInputs());

  it('passes on the repository as it is: sdk/schema.graphql breaks nothing of contracts/public-api.graphql unlisted', async () => {
    const check = await checkApi(await load());
    expect(paths(check.unlisted)).toEqual([]);
    expect(apiReport(check).ok).toBe(true);
  });

  it('fails when a public field is removed, naming it and saying where to list it', async () => {
    const input = await load();
    const check = await checkApi({ ...input, current: withoutField(input.current, 'Product', 'description') });
    expect(paths(check.breaking)).toEqual(['Product.description']);
    expect(paths(check.unlisted)).toEqual(['Product.description']);
    const report = apiReport(check);
    expect(report.ok).toBe(false);
    const text = report.lines.join('\n');
    expect(text).toContain("Product.description: Field 'description' was removed from object type 'Product'");
    expect(text).toContain('### Breaking');
    // The field was not deprecated in the release: the report says the policy was skipped.
    expect(text).toContain('not @deprecated in the last release');
  });

  it('does not call it a skipped deprecation when the released field was deprecated', async () => {
    const input = await load();
    const deprecated = print(
      visit(parse(input.current), {
        ObjectTypeDefinition: (node) =>
          node.name.value === 'Product'
            ? { ...node, fields: node.fields?.map((field) => (field.name.value === 'description' ? { ...field, directives: [deprecation('Read `name`.')] } : field)) }
            : undefined,
      }),
    );
    const check = await checkApi({ ...input, baseline: deprecated, current: withoutField(deprecated, 'Product', 'description') });
    expect(paths(check.unlisted)).toEqual(['Product.description']);
    const text = apiReport(check).lines.join('\n');
    expect(text).toContain("Product.description: Field 'description' (deprecated) was removed");
    expect(text).not.toContain('not @deprecated in the last release');
  });

  it("passes once the field's path is listed under Breaking in the unreleased section", async () => {
    const input = await load();
    const current = withoutField(input.current, 'Product', 'description');
    const changelog = listingBreaking(input.changelog, '- `Product.description`: removed; read `Product.name` instead.');
    const check = await checkApi({ ...input, current, changelog });
    expect(paths(check.breaking)).toEqual(['Product.description']);
    expect(check.unlisted).toEqual([]);
    const report = apiReport(check);
    expect(report.ok).toBe(true);
    expect(report.lines.join('\n')).toContain('✓ Product.description');
  });

  it("also takes the change's exact message, and an entry spread over several lines", async () => {
    const input = await load();
    const current = withoutField(input.current, 'Product', 'description');
    const byMessage = listingBreaking(input.changelog, "- Field 'description' was removed from object type 'Product'");
    expect((await checkApi({ ...input, current, changelog: byMessage })).unlisted).toEqual([]);
    const wrapped = listingBreaking(input.changelog, '- Removed, as announced in 0.1.0:', '  `Product.description`.');
    expect((await checkApi({ ...input, current, changelog: wrapped })).unlisted).toEqual([]);
  });

  it('counts only the unreleased Breaking list: not other subsections, released sections, comments, or a longer name', async () => {
    const input = await load();
    const current = withoutField(input.current, 'Product', 'description');
    const notListings = [
      // Under "Added" of the unreleased section.
      listingBreaking(input.changelog, '', '### Added', '', '- `Product.description`'),
      // Under a released version's Breaking list.
      input.changelog.replace('## [0.1.0] - ', '## [0.0.9] - 2026-01-01\n\n### Breaking\n\n- `Product.description`\n\n## [0.1.0] - '),
      // In an HTML comment (the template's example names Product.description too).
      listingBreaking(input.changelog, '<!-- - `Product.description` -->'),
      // Another field whose name starts the same.
      listingBreaking(input.changelog, '- `Product.descriptionHtml`: removed'),
      listingBreaking(input.changelog, '- `Product.description.format`: removed'),
    ];
    for (const changelog of notListings) {
      expect(paths((await checkApi({ ...input, current, changelog })).unlisted)).toEqual(['Product.description']);
    }
    // A sentence's full stop after the path is still the path.
    const sentence = listingBreaking(input.changelog, '- Removed Product.description.');
    expect((await checkApi({ ...input, current, changelog: sentence })).unlisted).toEqual([]);
  });

  it('reports a dangerous change (an enum value added) and passes', async () => {
    const input = await load();
    const check = await checkApi({ ...input, current: withEnumValue(input.current, 'OrderStatus', 'REFUNDED') });
    expect(check.breaking).toEqual([]);
    expect(paths(check.dangerous)).toEqual(['OrderStatus.REFUNDED']);
    const report = apiReport(check);
    expect(report.ok).toBe(true);
    expect(report.lines.join('\n')).toContain("! OrderStatus.REFUNDED: Enum value 'REFUNDED' was added to enum 'OrderStatus'");
  });

  it('reads the Breaking bullets of "## Unreleased" and of "## [Unreleased]" alike', () => {
    expect(unreleasedBreaking('# Changelog\n\n## Unreleased\n\n### Breaking\n\n- `A.b`\n* `C.d`\n\n### Added\n\n- `E.f`\n')).toEqual(['`A.b`', '`C.d`']);
    expect(unreleasedBreaking('## [unreleased]\n### Breaking\n- `A.b`\n## [0.1.0]\n### Breaking\n- `C.d`\n')).toEqual(['`A.b`']);
    expect(unreleasedBreaking('## [0.1.0]\n### Breaking\n- `C.d`\n')).toEqual([]);
  });
});

describe('public API release (npm run release:api)', () => {
  it('moves the unreleased entries under the version, leaves a fresh unreleased section, and the check then passes against the new baseline', async () => {
    const input = await readApiInputs();
    const current = withoutField(input.current, 'Product', 'description');
    const listed = listingBreaking(freshlyReleased(input.changelog), '- `Product.description`: removed.');
    const changelog = releasedChangelog(listed, '0.2.0', '2027-01-02');

    expect(changelog).toContain(`${UNRELEASED_TEMPLATE}\n## [0.2.0] - 2027-01-02\n\n### Breaking\n\n- \`Product.description\`: removed.\n\n## [0.1.0]`);
    expect(unreleasedBreaking(changelog)).toEqual([]);
    // The text before the unreleased section (the file's introduction) is kept as it was.
    expect(changelog.slice(0, changelog.indexOf('## [Unreleased]'))).toBe(input.changelog.slice(0, input.changelog.indexOf('## [Unreleased]')));

    const baseline = baselineOf(current, '0.2.0');
    expect(baseline).toMatch(/^# The public API as released in 0\.2\.0/);
    const check = await checkApi({ baseline, current, changelog });
    expect(check.breaking).toEqual([]);
    expect(check.dangerous).toEqual([]);
    expect(apiReport(check).ok).toBe(true);
  });

  it('keeps the schema itself in the baseline, only its header replaced', async () => {
    const { current } = await readApiInputs();
    const baseline = baselineOf(current, '0.2.0');
    expect(baseline).not.toContain('Generated by `npm run compose`');
    expect(print(parse(baseline))).toBe(print(parse(current)));
    expect(() => buildSchema(baseline)).not.toThrow();
  });

  it('refuses a version already released, a non-version, and an unreleased section with no entries', async () => {
    const changelog = freshlyReleased((await readApiInputs()).changelog);
    const listed = listingBreaking(changelog, '- `Product.description`: removed.');
    expect(() => releasedChangelog(listed, '0.1.0', '2027-01-02')).toThrow(/section for 0\.1\.0 already/);
    expect(() => releasedChangelog(listed, 'next', '2027-01-02')).toThrow(/not a version/);
    // An unreleased section of only the template's empty Breaking list.
    expect(() => releasedChangelog(changelog, '0.2.0', '2027-01-02')).toThrow(/lists nothing/);
  });
});
