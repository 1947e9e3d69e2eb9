import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from '../src/logger.js';
import { REDACTED, REDACTION_BOUNDS, redactForLog, scrubUrl, TRUNCATED } from '../src/log-redaction.js';

/** A logger of `format` whose lines are kept, as the service would write them. */
function capturedLogger(format: LogFormat = 'json') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter((line) => line !== ''));
      done();
    },
  });
  const logger = createLogger({ service: 'test', level: 'info', format, destination });
  return { logger, output: () => lines.join('\n'), lines };
}

/** A value no one would write by chance: found in the output, it leaked. */
let counter = 0;
const secret = (name: string) => `s3cret-${name}-${++counter}-value`;

/** Every field name that carries a credential somewhere in the shop or the libraries it logs from. */
const SECRET_FIELDS = [
  'authorization', 'Authorization', 'proxy-authorization', 'cookie', 'Cookie', 'set-cookie',
  'password', 'currentPassword', 'newPassword', 'passwordHash', 'POSTGRES_PASSWORD', 'passphrase',
  'token', 'refreshToken', 'accessToken', 'refresh_token', 'x-csrf-token', 'idToken',
  'secret', 'secrets', 'webhookSecret', 'clientSecret', 'JWT_SECRET',
  'signingKey', 'signingKeys', 'privateKey', 'JWT_PRIVATE_KEY', 'encryptionKey',
  'credential', 'credentials', 'SERVICE_CREDENTIAL', 'x-service-credential',
  'apiKey', 'api_key', 'x-api-key', 'accessKey', 'bearer',
  'jwt', 'JWT', 'idJwt', 'pwd', 'PGPWD', 'signature', 'webhook-signature', 'Webhook-Signature', 'requestSignature',
  'otp', 'OTP', 'totp', 'otpCode', 'otp_code', 'userOtp', 'hotp',
];

describe('log redaction', () => {
  it.each(SECRET_FIELDS)('redacts %s at the top, nested in objects and arrays, and deep down', (field) => {
    const { logger, output } = capturedLogger();
    const values = Array.from({ length: 6 }, () => secret(field));
    logger.info(
      {
        [field]: values[0],
        request: { headers: { [field]: values[1], host: 'shop.example' } },
        items: [{ id: 1 }, { [field]: values[2] }],
        a: { b: [{ c: { d: { [field]: values[3] } } }] },
        // A secret field holding an object or a list: all of it goes.
        outer: { [field]: { nested: values[4], list: [values[5]] } },
      },
      'a line',
    );
    const written = output();
    for (const value of values) expect(written).not.toContain(value);
    expect(JSON.parse(written)).toMatchObject({
      [field]: REDACTED,
      request: { headers: { [field]: REDACTED, host: 'shop.example' } },
      items: [{ id: 1 }, { [field]: REDACTED }],
      a: { b: [{ c: { d: { [field]: REDACTED } } }] },
      outer: { [field]: REDACTED },
    });
  });

  it('keeps what is not secret: ids, emails, counts, hosts, and flags named after secrets', () => {
    const { logger, lines } = capturedLogger();
    logger.info({ userId: 'u-1', email: 'alice@example.com', key: 'login:ab12', attempts: 3, passwordChanged: true, refreshToken: null, nested: { subgraph: 'users', host: 'users:4001' } }, 'kept');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      userId: 'u-1',
      email: 'alice@example.com',
      key: 'login:ab12',
      attempts: 3,
      passwordChanged: true,
      refreshToken: null,
      nested: { subgraph: 'users', host: 'users:4001' },
      msg: 'kept',
    });
  });

  it('redacts secret fields of errors, their causes and the errors inside other fields', () => {
    const { logger, output } = capturedLogger();
    const [password, token, causeSecret, innerSecret] = ['password', 'token', 'cause', 'inner'].map(secret);
    const cause = Object.assign(new Error('driver failed'), { credentials: causeSecret });
    const error = Object.assign(new Error('login failed', { cause }), { input: { email: 'a@example.com', password }, token });
    logger.error({ err: error, attempt: { error: Object.assign(new Error('inner'), { apiKey: innerSecret }) } }, 'request failed');
    const written = output();
    for (const value of [password, token, causeSecret, innerSecret]) expect(written).not.toContain(value);
    const line = JSON.parse(written) as { err: Record<string, unknown>; attempt: { error: Record<string, unknown> } };
    // Still an error as pino writes one.
    expect(line.err).toMatchObject({ type: 'Error', message: 'login failed: driver failed', input: { email: 'a@example.com', password: REDACTED }, token: REDACTED });
    expect(line.err.stack).toMatch(/^Error: login failed\n/);
    expect(line.attempt.error).toMatchObject({ type: 'Error', message: 'inner', apiKey: REDACTED });
  });

  it('redacts the fields a child logger carries on each of its lines, and its children too', () => {
    const { logger, output } = capturedLogger();
    const [refreshToken, password] = [secret('child'), secret('grandchild')];
    logger.child({ requestId: 'r-1', refreshToken }).child({ db: { settings: { password } } }).info('from a grandchild');
    expect(output()).not.toContain(refreshToken);
    expect(output()).not.toContain(password);
    expect(JSON.parse(output())).toMatchObject({ requestId: 'r-1', refreshToken: REDACTED, db: { settings: { password: REDACTED } } });
  });

  it(`replaces what lies deeper than ${REDACTION_BOUNDS.depth} levels rather than write it unread`, () => {
    const { logger, output } = capturedLogger();
    const hidden = secret('deep');
    let deep: Record<string, unknown> = { password: hidden, note: hidden };
    for (let level = 0; level < 20; level++) deep = { level: deep };
    logger.info({ deep }, 'deep');
    expect(output()).not.toContain(hidden);
    expect(output()).toContain(TRUNCATED);
  });

  it('ends on a cycle, and on a huge object, within its node budget', () => {
    const { logger, output } = capturedLogger();
    const hidden = secret('cycle');
    const cyclic: Record<string, unknown> = { token: hidden, name: 'loop' };
    cyclic.self = cyclic;
    const huge = Array.from({ length: 50_000 }, (_, index) => ({ index, note: `http://user:${hidden}@host/?q=${index}` }));
    logger.info({ cyclic, huge }, 'big');
    expect(output()).not.toContain(hidden);
    // Bounded: about REDACTION_BOUNDS.nodes values are written (each under 60 bytes here), the rest of the list as one marker.
    expect(output().length).toBeLessThan(REDACTION_BOUNDS.nodes * 60);
    expect((JSON.parse(output()) as { huge: unknown[] }).huge.at(-1)).toBe(TRUNCATED);
  });

  it('keeps fields whose names only hold the letters of a secret inside a word', () => {
    const fields = { footprint: 'small', hotpath: '/graphql', notPaid: 3, signatureValid: true, otpSent: true };
    expect(redactForLog(fields)).toBe(fields);
  });

  it('walks what toJSON returns, and an object whose toJSON returns itself', () => {
    const hidden = secret('to-json');
    const selfish = { token: hidden, toJSON() { return this; } };
    const wrapped = { toJSON: () => ({ credentials: hidden, kept: 'yes' }) };
    expect(JSON.parse(JSON.stringify(redactForLog({ selfish, wrapped })))).toEqual({ selfish: { token: REDACTED }, wrapped: { credentials: REDACTED, kept: 'yes' } });
  });

  it('returns a line with nothing to hide as it came, copying nothing', () => {
    const fields = { subgraph: 'products', reason: 'timeout', path: ['product', 'name'], nested: { count: 2, url: 'http://products:4002/graphql' } };
    expect(redactForLog(fields)).toBe(fields);
  });

  it.each(['json', 'pretty'] as const)('writes no secret in the %s format either', (format) => {
    const { logger, output } = capturedLogger(format);
    const [password, token] = [secret('pretty-password'), secret('pretty-token')];
    logger.warn({ body: { variables: { input: { currentPassword: password, newPassword: password } } }, headers: [{ authorization: `Bearer ${token}` }] }, 'changing a password');
    expect(output()).toContain('changing a password');
    expect(output()).not.toContain(password);
    expect(output()).not.toContain(token);
  });
});

describe('URLs in the log', () => {
  const password = 'Pa55word-in-url';
  const query = 'sig=query-secret';
  /** Each URL the services log, with what it must still say. */
  const URLS = [
    ['DATABASE_URL', `postgres://shop:${password}@users-db:5432/users?sslmode=require&${query}`, 'postgres://users-db:5432/users'],
    ['REDIS_URL', `rediss://:${password}@redis.internal:6379/0`, 'rediss://redis.internal:6379/0'],
    ['NATS_URL', `nats://orders:${password}@nats:4222`, 'nats://nats:4222'],
    ['NATS_URL with a token', `tls://${password}@nats.internal:4222`, 'tls://nats.internal:4222'],
    ['a subgraph URL', `http://svc:${password}@products:4002/graphql?${query}`, 'http://products:4002/graphql'],
    ['a webhook target URL', `https://hooks.merchant.example/shop/events?${query}#frag`, 'https://hooks.merchant.example/shop/events'],
    ['a request URL', `http://127.0.0.1:4000/graphql?query=%7Bme%7D&extensions=x&${query}`, 'http://127.0.0.1:4000/graphql'],
    ['an IPv6 URL', `http://user:${password}@[::1]:4001/graphql?${query}`, 'http://[::1]:4001/graphql'],
  ] as const;

  it.each(URLS)('%s loses its credentials and query string wherever it is logged', (_name, url, kept) => {
    const { logger, output } = capturedLogger();
    logger.info({ url, nested: { endpoints: [{ target: url }] }, asObject: new URL(url) }, `calling ${url} now`);
    logger.child({ location: url }).warn({ err: new Error(`fetch ${url} failed`) }, 'child line');
    logger.error(new Error(`cannot reach ${url}`));
    const written = output();
    expect(written).not.toContain(password);
    expect(written).not.toContain(query);
    expect(written).not.toContain('sslmode');
    expect(written).toContain(kept);
    const [first] = written.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ url: kept, nested: { endpoints: [{ target: kept }] }, asObject: kept, msg: `calling ${kept} now` });
  });

  it('drops the query string of a request target without a scheme', () => {
    const { logger, lines } = capturedLogger();
    logger.info({ url: '/graphql?query={me{email}}&variables={"password":"x"}', path: '/ready?verbose=1', note: 'a?b' }, 'request');
    expect(JSON.parse(lines[0]!)).toMatchObject({ url: '/graphql', path: '/ready', note: 'a?b' });
  });

  it('redacts password= settings in connection strings', () => {
    const { logger, output } = capturedLogger();
    logger.info({ conninfo: `host=db user=shop password=${password} dbname=users` }, `connecting with password=${password}`);
    expect(output()).not.toContain(password);
    expect(output()).toContain('host=db user=shop');
  });

  it.each([
    [`postgres://shop:pa/ss${password}@db:5432/users`, 'postgres://db:5432/users'],
    ['https://medium.example/@someone/a-post', 'https://medium.example/@someone/a-post'],
    ['http://127.0.0.1:4000/graphql', 'http://127.0.0.1:4000/graphql'],
    ['file:///app/dist/index.js', 'file:///app/dist/index.js'],
  ])('scrubUrl(%s) is %s', (url, scrubbed) => {
    expect(scrubUrl(url)).toBe(scrubbed);
  });
});

describe('credentials inside text', () => {
  /** A JWT as users issues them (header and claims are base64url JSON), with a signature no one would write by chance. */
  const jwt = (marker: string) =>
    [{ alg: 'EdDSA', typ: 'JWT', kid: 'k1' }, { sub: 'user-1', sid: marker }].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') +
    `.${Buffer.from(secret(marker)).toString('base64url')}`;

  it('redacts a JWT in the message, in any string value at any depth and in an error message, keeping the text around it', () => {
    const { logger, output, lines } = capturedLogger();
    const tokens = ['msg', 'value', 'nested', 'list', 'error'].map(jwt);
    logger.warn(
      { note: `refresh with ${tokens[1]} failed`, request: { body: { query: 'x', extensions: { hint: tokens[2] } } }, seen: [`first ${tokens[3]}`] },
      `token ${tokens[0]} was refused`,
    );
    logger.error(new Error(`verify failed for ${tokens[4]}`));
    for (const token of tokens) {
      expect(output()).not.toContain(token);
      // Not even its signature alone, nor its claims.
      expect(output()).not.toContain(token.split('.')[2]);
      expect(output()).not.toContain(token.split('.')[1]);
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: `token ${REDACTED} was refused`, note: `refresh with ${REDACTED} failed`, seen: [`first ${REDACTED}`] });
  });

  it.each(['Bearer', 'bearer', 'BEARER'])('redacts "%s <token>" in the message and in string values, keeping the scheme', (scheme) => {
    const { logger, output, lines } = capturedLogger();
    const [opaque, inValue, inHeaders] = [secret('opaque'), secret('value'), secret('headers')];
    logger.info({ sent: `${scheme} ${inValue}`, raw: `GET / HTTP/1.1\r\nAuthorization: ${scheme}  ${inHeaders}\r\n` }, `calling products with ${scheme} ${opaque}, then retrying`);
    for (const value of [opaque, inValue, inHeaders]) expect(output()).not.toContain(value);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: `calling products with ${scheme} ${REDACTED}, then retrying`, sent: `${scheme} ${REDACTED}` });
  });

  it('leaves text with neither as it came: words like "bearer" without a credential after them, base64 that is no JWT', () => {
    const fields = { note: 'the bearer of the card', id: 'eyJhbGciOi', version: 'v1.2.3', list: ['a.b.c'] };
    expect(redactForLog(fields)).toBe(fields);
  });
});
