import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

// Query parameters whose values are credentials (a `?token=` on a download link, signed-url parts): their values never
// reach a log line.
const SECRET_QUERY_PARAM = /(?:token|auth|key|secret|password|signature|credential)/i;

/** The URL with the values of secret-looking query parameters replaced by `[redacted]`. */
export function redactUrlSecrets(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judge the raw name
      }
      return eq >= 0 && SECRET_QUERY_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * The access log's request: method, URL with secrets redacted, host and peer. Headers are left out on purpose
 * (Authorization, Cookie); this replaces fastify's default `req` serializer, as the root's serializers win.
 */
function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrlSecrets(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** The one pino root. Object-first calls with constant messages; errors go under `err`; secrets are redacted. */
export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'artifact-assembler' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        'headers["set-cookie"]',
        '*.token',
        'token',
        '*.password',
        'password',
      ],
      censor: '[redacted]',
    },
    serializers: { err: pino.stdSerializers.err, req: serializeRequest },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that discards everything: for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
