/**
 * The chunk-upload bench's client, in a process of its own as sentry-cli is: it reads the prepared request bodies,
 * says `ready`, and on a line on stdin sends them over `node:http` (each body in one write; Node's fetch goes through
 * web streams at about 80 MB/s), `lanes` requests in flight, each lane one connection. It prints one status code per
 * request, then `cpu <seconds>`: its own CPU time from the go to the last answer, and exits.
 * Arguments: <url> <token> <lanes> then `<file> <content-type>` pairs.
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

const [url, token, lanesArg, ...rest] = process.argv.slice(2);
const requests: Array<{ file: string; type: string }> = [];
for (let i = 0; i + 1 < rest.length; i += 2) requests.push({ file: rest[i]!, type: rest[i + 1]! });
const bodies = await Promise.all(requests.map((r) => readFile(r.file)));
const agent = new Agent({ keepAlive: true, maxSockets: Number(lanesArg) });

function post(body: Buffer, type: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url!, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': type, 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
const cpuBefore = process.cpuUsage();
const codes = await Promise.all(bodies.map((body, i) => post(body, requests[i]!.type)));
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(codes.join('\n') + `\ncpu ${(cpu.user + cpu.system) / 1e6}\n`);
agent.destroy();
