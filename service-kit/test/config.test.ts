import { describe, expect, it } from 'vitest';
import { ConfigError, commonEnv, databaseEnv, loadEnv } from '../src/config.js';

const shape = { ...commonEnv(4100, 9500), ...databaseEnv('users') };

/** The ConfigError `work` throws; fails the test when it throws nothing or something else. */
function configError(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('loadEnv', () => {
  it('applies the defaults of commonEnv and databaseEnv to an empty environment', () => {
    expect(loadEnv(shape, {})).toEqual({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: 4100,
      METRICS_PORT: 9500,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      DATABASE_PREPARED_STATEMENTS: true,
      DATABASE_CONNECT_TIMEOUT_MS: 5_000,
      DATA_DIR: '.data/users',
    });
  });

  it('parses the values it is given into their types', () => {
    const config = loadEnv(shape, {
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '8080',
      METRICS_PORT: '9090',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
      SHUTDOWN_TIMEOUT_MS: '2500',
      DATABASE_URL: 'postgres://shop@db.internal:5432/users',
      DATABASE_PREPARED_STATEMENTS: 'false',
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      DATA_DIR: '/var/lib/users',
      SEED_DEMO_DATA: 'false',
    });
    expect(config).toEqual({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: 8080,
      METRICS_PORT: 9090,
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
      SHUTDOWN_TIMEOUT_MS: 2500,
      DATABASE_URL: 'postgres://shop@db.internal:5432/users',
      DATABASE_PREPARED_STATEMENTS: false,
      DATABASE_CONNECT_TIMEOUT_MS: 2_000,
      DATA_DIR: '/var/lib/users',
      SEED_DEMO_DATA: false,
    });
  });

  it('treats a value of only blanks as unset too', () => {
    expect(loadEnv(shape, { PORT: '  ' }).PORT).toBe(4100);
  });

  it('treats empty strings as unset, so defaults apply and optional values stay undefined', () => {
    const config = loadEnv(shape, { PORT: '', LOG_LEVEL: '', HOST: '', DATABASE_URL: '', SEED_DEMO_DATA: '', DATA_DIR: '' });
    expect(config.PORT).toBe(4100);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.DATA_DIR).toBe('.data/users');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SEED_DEMO_DATA).toBeUndefined();
  });

  it('ignores variables the shape does not name', () => {
    const config = loadEnv(shape, { PATH: '/usr/bin', HOME: '/root' });
    expect(config).not.toHaveProperty('PATH');
    expect(config).not.toHaveProperty('HOME');
  });

  it('accepts both postgres:// and postgresql:// database URLs', () => {
    expect(loadEnv(shape, { DATABASE_URL: 'postgresql://127.0.0.1/shop' }).DATABASE_URL).toBe('postgresql://127.0.0.1/shop');
    expect(loadEnv(shape, { DATABASE_URL: 'postgres://127.0.0.1/shop' }).DATABASE_URL).toBe('postgres://127.0.0.1/shop');
  });

  it.each([
    ['PORT', 'not-a-number'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['METRICS_PORT', 'metrics'],
    ['METRICS_PORT', '65536'],
    ['METRICS_PORT', '-1'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_FORMAT', 'xml'],
    ['SHUTDOWN_TIMEOUT_MS', '0'],
    ['DATABASE_URL', 'mysql://127.0.0.1/shop'],
    ['DATABASE_URL', 'not a url'],
    ['SEED_DEMO_DATA', 'perhaps'],
    ['DATABASE_CONNECT_TIMEOUT_MS', '0'],
    ['DATABASE_CONNECT_TIMEOUT_MS', 'soon'],
  ])('refuses %s=%s with a ConfigError naming the variable', (name, value) => {
    const error = configError(() => loadEnv(shape, { [name]: value }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(error.message).toContain(name);
  });

  it('reads METRICS_PORT=0 as serving no metrics', () => {
    expect(loadEnv(shape, { METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
  });

  it('refuses a METRICS_PORT equal to PORT: metrics never share the public port', () => {
    const error = configError(() => loadEnv(shape, { PORT: '8080', METRICS_PORT: '8080' }));
    expect(error.problems).toEqual(['METRICS_PORT: must differ from PORT (metrics are never served on the public port)']);
    expect(error.message).toBe('Invalid configuration:\n  - METRICS_PORT: must differ from PORT (metrics are never served on the public port)');
  });

  it('takes PORT=0 together with METRICS_PORT=0, and checks no ports in a shape that has none', () => {
    expect(loadEnv(shape, { PORT: '0', METRICS_PORT: '0' })).toMatchObject({ PORT: 0, METRICS_PORT: 0 });
    expect(loadEnv({ LOG_LEVEL: shape.LOG_LEVEL }, {})).toEqual({ LOG_LEVEL: 'info' });
  });

  it('lists every problem at once in one ConfigError', () => {
    const error = configError(() => loadEnv(shape, { PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'http://example.com' }));
    expect(error.problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT']);
    expect(error.message).toMatch(/^Invalid configuration:\n/);
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}`);
    expect(error.name).toBe('ConfigError');
  });

  it('runs the checks on the parsed config and reports their problems', () => {
    const seen: unknown[] = [];
    const error = configError(() =>
      loadEnv(shape, { NODE_ENV: 'production', PORT: '9000' }, (config) => {
        seen.push(config);
        return config.NODE_ENV === 'production' ? ['DATABASE_URL is required in production', 'SEED_DEMO_DATA must be off in production'] : [];
      }),
    );
    expect(error.problems).toEqual(['DATABASE_URL is required in production', 'SEED_DEMO_DATA must be off in production']);
    expect(error.message).toContain('  - DATABASE_URL is required in production');
    expect(error.message).toContain('  - SEED_DEMO_DATA must be off in production');
    expect(seen).toEqual([expect.objectContaining({ NODE_ENV: 'production', PORT: 9000 })]);
  });

  it('returns the config when the checks find nothing', () => {
    const config = loadEnv(shape, { NODE_ENV: 'production', DATABASE_URL: 'postgres://127.0.0.1/shop' }, (parsed) =>
      parsed.NODE_ENV === 'production' && !parsed.DATABASE_URL ? ['DATABASE_URL is required in production'] : [],
    );
    expect(config.DATABASE_URL).toBe('postgres://127.0.0.1/shop');
  });
});

describe('NODE_ENV unset (development) on an interface other hosts reach', () => {
  it.each(['0.0.0.0', '::', '10.1.2.3', 'fd00::1', 'shop.internal', '128.0.0.1', '[::1]'])('refuses HOST=%s, naming NODE_ENV', (host) => {
    const error = configError(() => loadEnv(shape, { HOST: host }));
    expect(error.problems).toEqual([expect.stringMatching(new RegExp(`^NODE_ENV: unset while HOST=${host.replace(/[[\]]/g, '\\$&')} `))]);
    expect(error.message).toContain('NODE_ENV=production');
  });

  it.each(['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LocalHost'])('starts in development on the loopback HOST=%s', (host) => {
    expect(loadEnv(shape, { HOST: host })).toMatchObject({ NODE_ENV: 'development', HOST: host });
  });

  it('starts in development with HOST unset (its default is loopback) or blank', () => {
    expect(loadEnv(shape, {})).toMatchObject({ NODE_ENV: 'development', HOST: '127.0.0.1' });
    expect(loadEnv(shape, { HOST: ' ' })).toMatchObject({ NODE_ENV: 'development', HOST: '127.0.0.1' });
  });

  it.each(['development', 'test', 'production'])('starts on 0.0.0.0 when NODE_ENV=%s says so explicitly', (nodeEnv) => {
    expect(loadEnv(shape, { NODE_ENV: nodeEnv, HOST: '0.0.0.0' })).toMatchObject({ NODE_ENV: nodeEnv, HOST: '0.0.0.0' });
  });

  it('counts a blank NODE_ENV as unset', () => {
    expect(configError(() => loadEnv(shape, { NODE_ENV: '  ', HOST: '0.0.0.0' })).problems).toEqual([expect.stringMatching(/^NODE_ENV: unset/)]);
  });

  it('is listed with the other problems at once', () => {
    const error = configError(() => loadEnv(shape, { HOST: '0.0.0.0', PORT: 'abc' }));
    expect(error.problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['NODE_ENV', 'PORT']);
  });

  it('applies only to shapes that read both NODE_ENV and HOST', () => {
    expect(loadEnv({ HOST: shape.HOST }, { HOST: '0.0.0.0' })).toEqual({ HOST: '0.0.0.0' });
  });
});
