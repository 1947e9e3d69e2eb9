import { pino } from 'pino';
import { createLogger, type Logger } from '@shop/service-kit';

/** Silent unless TEST_LOG_LEVEL asks for more (debugging a failing test). */
export function testLogger(service: string): Logger {
  return createLogger({ service, level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'pretty' });
}

/** A logger whose lines (JSON, from `level` up) are kept in `lines`, for tests of what a service logs. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { logger: pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }), lines };
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}
