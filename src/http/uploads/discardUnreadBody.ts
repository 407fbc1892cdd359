import type { IncomingMessage } from 'node:http';

/**
 * After refusing an upload part-way, reads and drops the rest of the body so the client (still sending) gets the
 * answer and the connection stays usable. Node only does this by itself for a body nobody started reading; a
 * multipart body we stopped consuming would otherwise stall the connection for good. Past `maxBytes` the
 * connection is closed instead.
 */
export function discardUnreadBody(request: IncomingMessage, maxBytes: number): void {
  if (request.readableEnded || request.destroyed) return;
  request.unpipe(); // detach the multipart parser, which no longer reads
  let discarded = 0;
  request.on('data', (piece: Buffer) => {
    discarded += piece.length;
    if (discarded > maxBytes) request.destroy();
  });
  request.resume();
}
