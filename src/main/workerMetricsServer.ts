import { collectDefaultMetrics, Registry } from 'prom-client';
import { jobMetricsRegistry } from '../workers/jobMetrics.js';

// Not `import ... from 'node:http'`: an ES import of a builtin reads every export to build its namespace, and
// node:http's lazy getters (WebSocket, CloseEvent, MessageEvent) then load undici, http2 and more (about 3 MB of an
// idle worker's RSS). getBuiltinModule returns the exports object without reading them.
const { createServer } = process.getBuiltinModule('node:http');

/**
 * /metrics for a process that runs workers but no HTTP front (`assembler worker`, `assembler dashboards`), on
 * METRICS_PORT: process metrics and this process's job outcomes and durations. Plain node:http, so a worker process
 * does not load fastify.
 */
export async function startWorkerMetricsServer(host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const own = new Registry();
  collectDefaultMetrics({ register: own });
  const registry = Registry.merge([own, jobMetricsRegistry]);
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?', 1)[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"The requested resource does not exist"}');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
