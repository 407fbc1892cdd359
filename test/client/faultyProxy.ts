import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyFault = 'unavailable' | 'too_many_requests' | 'reset';

/**
 * A real HTTP proxy in front of the server that misbehaves on the requests it is told to: answers 503 (with
 * `Retry-After: 0` and Sentry's body, as our server does when a dependency is down), 429, or drops the connection;
 * every other request is forwarded as is (the Host header kept, so absolute URLs name the proxy). It counts requests.
 */
export class FaultyProxy {
  requests = 0;
  /** the faults to play, one per request, before forwarding resumes; `always` replays the first forever */
  private faults: ProxyFault[] = [];
  private always = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FaultyProxy> {
    const upstream = new URL(target);
    let proxy: FaultyProxy | undefined;
    const server = createServer((req, res) => {
      const self = proxy as FaultyProxy;
      self.requests += 1;
      const fault = self.always ? self.faults[0] : self.faults.shift();
      if (fault === 'reset') return void req.socket.destroy();
      if (fault) {
        const status = fault === 'unavailable' ? 503 : 429;
        res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
        return void res.end(JSON.stringify({ detail: fault === 'unavailable' ? 'Service temporarily unavailable' : 'Too many requests' }));
      }
      const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.destroy());
      req.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new FaultyProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** The next requests meet these faults, in order (or the first one forever with `always`). */
  play(faults: ProxyFault[], options: { always?: boolean } = {}): void {
    this.faults = [...faults];
    this.always = options.always ?? false;
    this.requests = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
