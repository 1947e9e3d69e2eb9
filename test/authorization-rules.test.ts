import { readFile } from 'node:fs/promises';
import { Kind, parse, visit, type ConstValueNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ROLES, SCOPES_OF_ROLE } from '@shop/service-kit';
import { SUPERGRAPH_FILE } from '../scripts/supergraph.js';

/** Every string of a `@requiresScopes(scopes: [[...]])` argument: the inner lists' scopes. */
function scopesIn(value: ConstValueNode): string[] {
  if (value.kind === Kind.LIST) return value.values.flatMap(scopesIn);
  if (value.kind === Kind.STRING) return [value.value];
  throw new Error(`@requiresScopes takes lists of strings, not ${value.kind}`);
}

/** Each scope some `@requiresScopes` of the supergraph names, with the coordinates that name it. */
async function scopesRequiredBySupergraph(): Promise<Map<string, string[]>> {
  const required = new Map<string, string[]>();
  const ancestorsName = (ancestors: readonly unknown[]) =>
    ancestors
      .filter((node): node is { name: { value: string } } => typeof node === 'object' && node !== null && 'name' in node)
      .map((node) => node.name.value)
      .join('.');
  visit(parse(await readFile(SUPERGRAPH_FILE, 'utf8')), {
    Directive(directive, _key, _parent, _path, ancestors) {
      if (directive.name.value !== 'requiresScopes') return;
      const argument = directive.arguments?.find((arg) => arg.name.value === 'scopes');
      if (!argument) throw new Error(`@requiresScopes without scopes at ${ancestorsName(ancestors)}`);
      for (const scope of scopesIn(argument.value as ConstValueNode)) required.set(scope, [...(required.get(scope) ?? []), ancestorsName(ancestors)]);
    },
  });
  return required;
}

describe('the scope table and the supergraph', () => {
  it('grants every scope a @requiresScopes of the supergraph asks for to some role (else nobody could ever pass it)', async () => {
    const required = await scopesRequiredBySupergraph();
    expect(required.size).toBeGreaterThan(0);
    const granted = new Set<string>(ROLES.flatMap((role) => SCOPES_OF_ROLE[role]));
    const ungranted = [...required].filter(([scope]) => !granted.has(scope)).map(([scope, where]) => `${scope} (${where.join(', ')})`);
    expect(ungranted).toEqual([]);
  });

  it('grants no scope that no @requiresScopes of the supergraph asks for (a stale or misspelt one)', async () => {
    const required = await scopesRequiredBySupergraph();
    const unused = ROLES.flatMap((role) => SCOPES_OF_ROLE[role].filter((scope) => !required.has(scope)).map((scope) => `${role}: ${scope}`));
    expect(unused).toEqual([]);
  });
});
