import { describe, expect } from 'vitest';
import { auditServer } from 'graphql-http';
import { SUBGRAPHS, type Stack } from './support/stack.js';
import { it } from './support/fixtures.js';

/**
 * The SHOULD and MAY audits of graphql-http that every service fails on purpose (docs/extend/tests.md, "GraphQL
 * over HTTP conformance", says why at length). All four services share one HTTP layer
 * (service-kit's http-service), so they fail the same ones. A change in this list, either way, is
 * news: update docs/extend/tests.md with it.
 */
const ACCEPTED: Record<string, string> = {
  '5A70': 'MAY accept GET: CSRF prevention refuses a GET without content-type or apollo-require-preflight',
  D6D5: 'MAY take GET variables (graphql-response+json): same CSRF prevention',
  '6A70': 'MAY take GET variables (json): same CSRF prevention',
  '572B': 'SHOULD answer 200 to a parse error under application/json: Apollo Server answers 400',
  FDE2: 'SHOULD answer 200 to a validation error under application/json: Apollo Server answers 400',
  '7B9B': 'SHOULD answer 200 to a variable coercion error under application/json: Apollo Server answers 400',
};

const urlOf = (stack: Stack, name: string) => `${name === 'gateway' ? stack.gatewayUrl : stack.urls[name as (typeof SUBGRAPHS)[number]]}/graphql`;

describe('GraphQL over HTTP conformance', () => {
  it.for(['gateway', ...SUBGRAPHS])('%s passes every MUST audit of graphql-http and fails only the accepted SHOULD and MAY ones', async (name, { stack }) => {
    const failed = (await auditServer({ url: urlOf(stack, name) })).filter((result) => result.status !== 'ok');
    for (const result of failed) await result.response.body?.cancel();
    // graphql-http marks a failed MUST as `error`, a SHOULD as `warn`, a MAY as `notice`.
    const musts = failed.filter((result) => result.status === 'error' || result.name.startsWith('MUST'));
    expect(musts.map((result) => `${result.id} ${result.name}: ${result.reason}`)).toEqual([]);
    console.info(`${name}: SHOULD/MAY audits not passing:\n${failed.map((result) => `  ${result.id} ${result.name} (${result.reason})`).join('\n')}`);
    expect(failed.map((result) => result.id).sort()).toEqual(Object.keys(ACCEPTED).sort());
  });

  it.for(['gateway', ...SUBGRAPHS])('%s answers a GET query with variables once it carries the CSRF header: that header is all the audit\'s GETs lack', async (name, { stack }) => {
    const url = `${urlOf(stack, name)}?${new URLSearchParams({ query: 'query ($skip: Boolean!) { __typename @skip(if: $skip) }', variables: JSON.stringify({ skip: false }) })}`;
    const plain = await fetch(url, { headers: { accept: 'application/graphql-response+json' } });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toMatch(/CSRF/);
    const preflighted = await fetch(url, { headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true' } });
    expect({ status: preflighted.status, body: await preflighted.json() }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });
});
