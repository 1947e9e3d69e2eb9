import { pino, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';

export type Logger = PinoLogger;
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  service: string;
  level: string;
  format: LogFormat;
}

/** JSON lines in production (for log shippers); a readable one-line format for people. */
export function createLogger({ service, level, format }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: ['req.headers.authorization', 'password', '*.password', 'token'], censor: '[redacted]' },
  };
  if (format === 'pretty') {
    return pino(options, pretty({ sync: true, singleLine: true, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss.l' }));
  }
  return pino(options);
}
