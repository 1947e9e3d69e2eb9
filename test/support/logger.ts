import { createLogger, type Logger } from '@shop/service-kit';

/** Silent unless TEST_LOG_LEVEL asks for more (debugging a failing test). */
export function testLogger(service: string): Logger {
  return createLogger({ service, level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'pretty' });
}
