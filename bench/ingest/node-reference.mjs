// The least a Node.js server can do for an upload and still keep iClood's promise about bytes:
// stream the body to a file while hashing it (SHA-256), fdatasync, answer. No framework, no
// database, no metadata, no placement. bench/ingest runs it beside nginx to show how much of the
// gap to nginx is Node itself and how much is iClood.
//
//   node bench/ingest/node-reference.mjs <dir>     → prints "running at http://127.0.0.1:<port>"
import { createHash, randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node-reference.mjs <dir>');
  process.exit(2);
}

const server = createServer(async (request, response) => {
  const file = await open(join(dir, `${randomUUID()}.part`), 'wx', 0o600);
  try {
    const hash = createHash('sha256');
    let position = 0;
    for await (const chunk of request) {
      hash.update(chunk);
      await file.write(chunk, 0, chunk.length, position);
      position += chunk.length;
    }
    await file.datasync();
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ sha256: hash.digest('hex'), size: position }));
  } catch {
    response.writeHead(500);
    response.end();
  } finally {
    await file.close();
  }
});
server.listen(0, '127.0.0.1', () => console.log(`running at http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close());
