import { describe, expect, it } from 'vitest';
import { addressRefusal, checkTargetUrl, guardedLookup, TargetRefusedError } from '../src/webhook-targets.js';

const PRODUCTION = { allowPrivate: false };
const DEVELOPMENT = { allowPrivate: true };

/** What guardedLookup answers for `host`: the addresses, or the refusal. */
const lookUp = (host: string, policy: { allowPrivate: boolean }, all = false) =>
  new Promise<{ error: Error | null; address: unknown }>((done) => {
    guardedLookup(policy)(host, { all }, (error, address) => done({ error, address }));
  });

describe('addressRefusal', () => {
  it('allows public unicast addresses under either policy', () => {
    for (const address of ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '8.8.8.8']) {
      expect(addressRefusal(address, PRODUCTION), address).toBeNull();
      expect(addressRefusal(address, DEVELOPMENT), address).toBeNull();
    }
  });

  it('refuses loopback, private and shared addresses in production, however they are written', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '10.0.0.8', '172.16.4.1', '192.168.1.1', 'fd12:3456::1', '100.64.0.1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(addressRefusal(address, PRODUCTION), address).not.toBeNull();
    }
  });

  it('allows loopback and private addresses when private targets are allowed', () => {
    for (const address of ['127.0.0.1', '::1', '10.0.0.8', '192.168.1.1', 'fd12:3456::1', '::ffff:127.0.0.1']) {
      expect(addressRefusal(address, DEVELOPMENT), address).toBeNull();
    }
  });

  it('always refuses link-local, metadata, unspecified, multicast and reserved addresses', () => {
    for (const address of ['169.254.169.254', 'fe80::1', 'fd00:ec2::254', '100.100.100.200', '0.0.0.0', '::', '224.0.0.1', '255.255.255.255', '240.0.0.1', '::ffff:169.254.169.254', '::7f00:1', '::a00:1', '64:ff9b::a00:1', '2002:7f00:1::1']) {
      expect(addressRefusal(address, DEVELOPMENT), address).not.toBeNull();
      expect(addressRefusal(address, PRODUCTION), address).not.toBeNull();
    }
  });
});

describe('checkTargetUrl', () => {
  it('takes only https in production, and http too where private targets are allowed', async () => {
    await expect(checkTargetUrl('http://93.184.215.14/hook', PRODUCTION)).rejects.toThrow('must be https');
    await expect(checkTargetUrl('https://93.184.215.14/hook', PRODUCTION)).resolves.toBeInstanceOf(URL);
    await expect(checkTargetUrl('http://127.0.0.1:8080/hook', DEVELOPMENT)).resolves.toBeInstanceOf(URL);
    await expect(checkTargetUrl('ftp://127.0.0.1/hook', DEVELOPMENT)).rejects.toThrow('must be http or https');
  });

  it('refuses a host that resolves to a refused address, and one that does not resolve', async () => {
    await expect(checkTargetUrl('https://localhost/hook', PRODUCTION)).rejects.toThrow(/localhost \((127\.0\.0\.1|::1)\) is a loopback address/);
    await expect(checkTargetUrl('https://[::1]/hook', PRODUCTION)).rejects.toThrow('::1 is a loopback address');
    await expect(checkTargetUrl('https://nowhere.invalid/hook', PRODUCTION)).rejects.toThrow('nowhere.invalid cannot be resolved');
  });

  it('refuses credentials in the URL, text that is no URL, and overlong URLs', async () => {
    await expect(checkTargetUrl('https://user:secret@93.184.215.14/', PRODUCTION)).rejects.toThrow('user name or password');
    await expect(checkTargetUrl('/relative', PRODUCTION)).rejects.toBeInstanceOf(TargetRefusedError);
    await expect(checkTargetUrl(`https://93.184.215.14/${'a'.repeat(2_000)}`, PRODUCTION)).rejects.toThrow('longer than');
  });
});

describe('guardedLookup', () => {
  it('refuses a connection whose host resolves to a refused address when the socket connects (DNS rebinding)', async () => {
    const refused = await lookUp('localhost', PRODUCTION);
    expect(refused.error).toBeInstanceOf(TargetRefusedError);
    const allowed = await lookUp('localhost', DEVELOPMENT);
    expect(allowed.error).toBeNull();
    expect(['127.0.0.1', '::1']).toContain(allowed.address);
    const all = await lookUp('localhost', DEVELOPMENT, true);
    expect(all.address).toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) as unknown })]));
  });
});
