// Uploads of the sizes phones really send, over a real socket: a ~5 MB photo and a 200 MB video,
// raw and as a multipart form (the iPhone app's and a Shortcut's form path). No size limit is
// configured, so only the free disk limits them.
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { buildFtyp, buildMoov, mdatHeader } from '../../../packages/media/test/fixtures/build-quicktime.js';
import { noiseJpeg } from './fixtures/noise-jpeg.js';
import { databaseTargets, filesUnder } from './helper.js';
import { serverTest } from './server-test.js';
import { hashedAsSent, multipartAround, postStreamed, sha256OfFile, type Answer } from './socket-client.js';

const VIDEO_MEDIA_BYTES = 200 * 1024 * 1024;
const ZEROS = Buffer.alloc(1024 * 1024);

function* slices(data: Buffer, size = 64 * 1024) {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

/** An iPhone-shaped movie generated on the fly: ftyp, a 200 MB mdat of zeros, then the moov. */
function movie(tag: number) {
  const head = Buffer.concat([buildFtyp('qt  '), mdatHeader(VIDEO_MEDIA_BYTES)]);
  const moov = buildMoov({
    creationTime: new Date(Date.UTC(2024, 6, 14, 16, 3, tag)),
    timescale: 600,
    duration: 600 * 60,
    tracks: [{ handler: 'vide', width: 3840, height: 2160 }],
  });
  return {
    size: head.length + VIDEO_MEDIA_BYTES + moov.length,
    *chunks() {
      yield head;
      for (let sent = 0; sent < VIDEO_MEDIA_BYTES; sent += ZEROS.length) yield ZEROS;
      yield moov;
    },
  };
}

describe('realistic upload sizes over a real socket', () => {
  // One database: sizes are the HTTP and storage layers' business; the row is only read back.
  const it = serverTest(databaseTargets[0]!, {
    phone: true,
    listen: true,
  })
    /** The stored original is the very bytes sent, and its row says so. */
    .extend(
      'expectStored',
      ({ server }) =>
        async (answer: Answer, sent: { sha256: string; bytes: number }) => {
          expect(answer.status, JSON.stringify(answer.body)).toBe(201);
          const row = await server.database.db
            .selectFrom('media')
            .select(['sha256', 'size', 'rel_path'])
            .where('id', '=', answer.body.data!['id'] as string)
            .executeTakeFirstOrThrow();
          expect(row).toMatchObject({ sha256: sent.sha256, size: sent.bytes });
          expect(await sha256OfFile(join(server.config.libraryDir, row.rel_path))).toBe(sent.sha256);
        },
    )
    /** Raw body with X-Filename, or a multipart form with a field before the file part. */
    .extend(
      'send',
      ({ base, phone }) =>
        (form: boolean, name: string, file: { size: number; chunks: Iterable<Uint8Array> }) => {
          const authorization = `Bearer ${phone.token}`;
          const url = `${base}/api/v1/media/upload`;
          if (!form) {
            return postStreamed(
              url,
              {
                authorization,
                'content-type': 'application/octet-stream',
                'content-length': file.size,
                'x-filename': name,
              },
              file.chunks,
            );
          }
          const body = multipartAround({ localId: name }, { name, ...file });
          return postStreamed(
            url,
            { authorization, 'content-type': body.contentType, 'content-length': body.length },
            body.chunks(),
          );
        },
    );

  it('a ~5 MB photo, raw and multipart, is stored byte for byte', async ({ expectStored, send }) => {
    for (const form of [false, true]) {
      const photo = await noiseJpeg(2800, 2100);
      expect(photo.length).toBeGreaterThan(4_000_000);
      const sent = hashedAsSent(slices(photo));
      const answer = await send(form, `IMG_${form}.JPG`, { size: photo.length, chunks: sent.chunks() });
      await expectStored(answer, sent.result());
    }
  });

  it('a 200 MB video, raw and multipart, streams to the library without a size limit', async ({
    server,
    expectStored,
    send,
  }) => {
    for (const form of [false, true]) {
      const video = movie(form ? 1 : 2);
      const sent = hashedAsSent(video.chunks());
      const answer = await send(form, `IMG_${form}.MOV`, { size: video.size, chunks: sent.chunks() });
      await expectStored(answer, sent.result());
    }
    expect(await filesUnder(server.app.layout.libraryTmpDir)).toEqual([]);
  });
});
