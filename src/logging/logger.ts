import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** The one pino root. Object-first calls with constant messages; errors go under `err`; secrets are redacted. */
export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'artifact-assembler' },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.token', 'token', '*.password', 'password'],
      censor: '[redacted]',
    },
    serializers: { err: pino.stdSerializers.err },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that discards everything: for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
