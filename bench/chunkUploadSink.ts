/**
 * The least an HTTP server on this machine does for a chunk upload: a bare `node:http` server, in a process of its own
 * as the API is, that reads every request body and throws it away. The chunk-upload bench sends it the same requests
 * through the same client, so the CPU both use is the cost of carrying the bytes through Node's HTTP alone, before
 * any multipart parsing, hashing, compressing or writing. It prints `listening <port>` and runs until it is killed.
 */
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.end());
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
