// A resumable upload large enough to be hashed on the worker thread (over 16 MiB): its parts
// carry the SHA-256 across PATCHes on the worker, a part refused in the middle drops that hash
// (the next part hashes the kept bytes again from the disk), and the stored file and its row have the hash of the bytes sent.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { buildFtyp, buildMoov, mdatHeader } from '../../../packages/media/test/fixtures/build-quicktime.js';
import { bearer, databaseTargets, sha256Hex } from './helper.js';
import { serverTest, type ServerContext } from './server-test.js';

const MiB = 1024 * 1024;
const TUS = { 'tus-resumable': '1.0.0' };
const PART = 'application/offset+octet-stream';

/** A movie of ~24 MiB of noise: ftyp, mdat, moov. */
function movie(): Buffer {
  const media = randomBytes(24 * MiB);
  const moov = buildMoov({
    creationTime: new Date(Date.UTC(2024, 6, 14, 16, 3, 0)),
    timescale: 600,
    duration: 600 * 10,
    tracks: [{ handler: 'vide', width: 1920, height: 1080 }],
  });
  return Buffer.concat([buildFtyp('qt  '), mdatHeader(media.length), media, moov]);
}

describe('a large resumable upload hashed on the worker across its parts', () => {
  // One database: the hashing is the storage layer's business; the row is only read back.
  const it = serverTest(databaseTargets[0]!, { phone: true });
  type Server = ServerContext['server'];

  function patch(
    server: Server,
    token: string,
    url: string,
    offset: number,
    body: Buffer,
    checksum?: string,
  ) {
    return server.app.inject({
      method: 'PATCH',
      url,
      headers: {
        ...bearer(token),
        ...TUS,
        'upload-offset': String(offset),
        'content-type': PART,
        ...(checksum === undefined ? {} : { 'upload-checksum': checksum }),
      },
      payload: body,
    });
  }

  async function offsetOf(server: Server, token: string, url: string): Promise<number> {
    const head = await server.app.inject({ method: 'HEAD', url, headers: { ...bearer(token), ...TUS } });
    return Number(head.headers['upload-offset']);
  }

  it('stores the bytes sent, with their SHA-256, through a refused part', async ({ server, phone }) => {
    const file = movie();
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: {
        ...bearer(phone.token),
        ...TUS,
        'upload-length': String(file.length),
        'upload-metadata': `filename ${Buffer.from('IMG_0042.MOV').toString('base64')}`,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const url = String(created.headers.location);

    const first = await patch(server, phone.token, url, 0, file.subarray(0, 9 * MiB));
    expect(first.statusCode, first.body).toBe(204);

    // A part that does not match its checksum: none of it kept, the worker's hash dropped.
    const wrong = createHash('sha256').update('something else').digest('base64');
    const refused = await patch(
      server,
      phone.token,
      url,
      9 * MiB,
      file.subarray(9 * MiB, 14 * MiB),
      `sha256 ${wrong}`,
    );
    expect(refused.statusCode).toBe(460);
    expect(await offsetOf(server, phone.token, url)).toBe(9 * MiB);

    // The next part starts from the kept bytes hashed again from the disk (on the worker).
    const second = await patch(server, phone.token, url, 9 * MiB, file.subarray(9 * MiB, 13 * MiB));
    expect(second.statusCode, second.body).toBe(204);
    const kept = await offsetOf(server, phone.token, url);
    expect(kept).toBe(13 * MiB);

    const last = await patch(server, phone.token, url, kept, file.subarray(kept));
    expect(last.statusCode, last.body).toBe(201);
    const row = await server.database.db
      .selectFrom('media')
      .select(['sha256', 'size', 'rel_path'])
      .where('id', '=', last.json().data.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sha256: sha256Hex(file), size: file.length });
    expect((await readFile(join(server.config.libraryDir, row.rel_path))).equals(file)).toBe(true);
  });
});
