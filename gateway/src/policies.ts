import type { Policies } from './authorization/policies.js';

/**
 * The functions that decide the supergraph's `@policy(policies: [["name"]])` names, by name: the
 * gateway's extension point for access rules a scope cannot say (a header, the time, a call to
 * an authorization service). Each gets the request's verified viewer (id, role, scopes), its
 * headers and its client address, and an AbortSignal to pass on to anything it calls; it answers
 * true to grant. A name the supergraph uses and nobody registers here is denied to everyone, as is
 * one whose function throws or takes longer than POLICY_TIMEOUT_MS. The shop's own schemas
 * declare no policy: who owns an order or a profile depends on the data, which only the subgraph
 * that holds it can check. See docs/run/security.md, "Authorization declared in the schema".
 */
export const policies: Policies = {};
