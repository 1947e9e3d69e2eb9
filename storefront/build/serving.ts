/**
 * What a server of the built storefront adds to its files, shared by every server of it (and
 * loading nothing: `npm start`'s server stays small). The Docker image's nginx template says the
 * same; test/dockerfile.test.ts holds them to it.
 */

/**
 * The Content-Security-Policy the storefront's pages are served with: scripts, styles and images
 * from its own origin only, requests to its own origin (config.json) and to the gateway's
 * endpoint only (the exact URL: CSP matches its path), never framed.
 */
export function contentSecurityPolicy(gatewayUrl: string): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ${gatewayUrl}`,
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The headers of the storefront's pages (index.html). */
export function pageHeaders(gatewayUrl: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(gatewayUrl),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

/**
 * /config.json, read by the app at start: the same built files then serve any gateway (nginx
 * writes it from its environment in the Docker image).
 */
export function runtimeConfigJson(gatewayUrl: string): string {
  return JSON.stringify({ gatewayUrl });
}
