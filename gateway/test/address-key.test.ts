import { describe, expect, it } from 'vitest';
import { addressKey } from '../src/address-key.js';

describe('addressKey', () => {
  it('keys an IPv4 client by its address, also when a dual-stack socket or NAT64 reports it in IPv6', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(addressKey('64:ff9b::203.0.113.7')).toBe('203.0.113.7');
  });

  it('keys an IPv6 client by its /64, however the address is written', () => {
    const key = addressKey('2001:db8:1:2::1');
    expect(key).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(key);
    expect(addressKey('2001:DB8:1:2:a:b:c:d')).toBe(key);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(key);
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('hashes anything else, so a key stays short whatever a proxy header said', () => {
    const key = addressKey('x'.repeat(100_000));
    expect(key).toMatch(/^hashed:[0-9a-f]{64}$/);
    expect(addressKey('unknown')).not.toBe(key);
  });
});
