/**
 * `path` beneath a service's base URL, keeping any path the base has: a service behind a proxy at
 * `http://proxy/users` serves `http://proxy/users/graphql`, where `new URL('/graphql', base)` would
 * drop the prefix.
 */
export const beneath = (base: string, path: string): string => new URL(path, base.endsWith('/') ? base : `${base}/`).href;
