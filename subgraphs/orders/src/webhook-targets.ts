import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may be sent. A webhook URL is chosen by whoever registers it, and the request
 * comes from inside the shop's network, so by default only public unicast addresses over https are
 * reached: never loopback, private, link-local, metadata or other special addresses (server-side
 * request forgery). `allowPrivate` (WEBHOOK_ALLOW_PRIVATE_TARGETS, development only) also allows
 * loopback and private addresses, and plain http.
 */
export interface TargetPolicy {
  allowPrivate: boolean;
}

/** A URL or an address webhooks may not reach; `message` says why, for the admin who gave it. */
export class TargetRefusedError extends Error {}

/** Cloud metadata services at addresses outside the link-local range (which is refused anyway). */
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', '100.100.100.200']);
/** What `allowPrivate` opens: this machine and the networks of the shop's own infrastructure. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);
const MAX_URL_LENGTH = 2_000;

/** Why `address` may not be reached, or null when it may. */
export function addressRefusal(address: string, policy: TargetPolicy): string | null {
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
  const parsed = ipaddr.process(address);
  if (METADATA_ADDRESSES.has(parsed.toString())) return 'a cloud metadata address';
  const range = parsed.range();
  // ::a.b.c.d (IPv4-compatible, deprecated): an IPv4 address that some stacks would still reach.
  if (parsed.kind() === 'ipv6' && range === 'unicast' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return 'an IPv4-compatible address';
  if (range === 'unicast') return null;
  if (policy.allowPrivate && PRIVATE_RANGES.has(range)) return null;
  return `a ${range} address`;
}

/** The refusal of the first of `host`'s addresses webhooks may not reach, or null when they may reach all. */
function refusalOfAddresses(host: string, addresses: readonly string[], policy: TargetPolicy): TargetRefusedError | null {
  for (const address of addresses) {
    const refusal = addressRefusal(address, policy);
    if (!refusal) continue;
    const where = host === address ? address : `${host} (${address})`;
    return new TargetRefusedError(`${where} is ${refusal}, which webhooks may not reach`);
  }
  return null;
}

/**
 * The URL when webhooks may be sent to it now: its scheme, and every address its host resolves to.
 * Checked when a webhook is registered and again at each delivery; the connection itself is
 * checked too (`guardedLookup`), as DNS may answer otherwise by then.
 */
export async function checkTargetUrl(text: string, policy: TargetPolicy, signal?: AbortSignal): Promise<URL> {
  if (text.length > MAX_URL_LENGTH) throw new TargetRefusedError(`The URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TargetRefusedError('The URL is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowPrivate)) {
    throw new TargetRefusedError(policy.allowPrivate ? 'The URL must be http or https' : 'The URL must be https');
  }
  if (url.username || url.password) throw new TargetRefusedError('The URL must not carry a user name or password');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const refusal = refusalOfAddresses(host, isIP(host) ? [host] : await resolve(host, signal), policy);
  if (refusal) throw refusal;
  return url;
}

/** The host's addresses; a lookup that outlasts `signal` is not waited for (it cannot be cancelled). */
async function resolve(host: string, signal?: AbortSignal): Promise<string[]> {
  const lookedUp = new Promise<LookupAddress[]>((done, fail) =>
    lookup(host, { all: true }, (error, found) => (error ? fail(error) : done(found))),
  ).catch((error: unknown) => {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new TargetRefusedError(`${host} cannot be resolved (${code ?? message})`);
  });
  const addresses = await (signal ? Promise.race([lookedUp, abortOf(signal)]) : lookedUp);
  if (addresses.length === 0) throw new TargetRefusedError(`${host} resolves to no address`);
  return addresses.map((found) => found.address);
}

/** Rejects with the signal's reason (a TimeoutError, say) when it aborts. */
function abortOf(signal: AbortSignal): Promise<never> {
  const reason = () => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise((_, fail) => {
    if (signal.aborted) fail(reason());
    signal.addEventListener('abort', () => fail(reason()), { once: true });
  });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for the sockets that deliver webhooks: the addresses a connection will use are the
 * ones checked, so a host that resolved to a public address when checked and to a private one a
 * moment later (DNS rebinding) is still refused.
 */
export function guardedLookup(policy: TargetPolicy) {
  return (host: string, options: LookupOptions, callback: LookupCallback): void => {
    lookup(host, { ...options, all: true }, (error, addresses) => {
      const refusal =
        error ??
        (addresses.length === 0
          ? Object.assign(new Error(`${host} resolves to no address`), { code: 'ENOTFOUND' })
          : refusalOfAddresses(host, addresses.map((found) => found.address), policy));
      if (refusal) {
        callback(refusal, []);
      } else if (options.all) {
        callback(null, addresses);
      } else {
        callback(null, addresses[0]!.address, addresses[0]!.family);
      }
    });
  };
}
