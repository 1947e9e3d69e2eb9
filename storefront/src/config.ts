/** What the built app learns where it is served: which gateway to talk to (config.json beside index.html). */
export interface StorefrontConfig {
  gatewayUrl: string;
}

export async function loadConfig(): Promise<StorefrontConfig> {
  const response = await fetch('./config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json answered HTTP ${response.status}`);
  const body: unknown = await response.json();
  if (typeof body === 'object' && body !== null && 'gatewayUrl' in body && typeof body.gatewayUrl === 'string') return { gatewayUrl: body.gatewayUrl };
  throw new Error('config.json names no gatewayUrl');
}
