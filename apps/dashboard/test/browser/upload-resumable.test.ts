// A video chosen in the browser goes as a resumable upload (tus): when the connection drops
// part-way, the page asks the server where the upload stands and sends only the rest. The
// connection is really cut: Chromium talks to the server through a TCP proxy that destroys the
// first PATCH's connection after 40 MiB and counts every byte the browser sends.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaList } from '@iclood/api-types';
import { describe, expect, test } from 'vitest';
import { DESKTOP, makeVideo, screenshot, useHousehold } from './harness.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const SLOW = 240_000;
const MIB = 1024 * 1024;
const CUT_AFTER = 40 * MIB;

const household = useHousehold({ owner: OWNER, server: { startTimeoutMs: 180_000 } });

interface CuttingProxy {
  origin: string;
  /** Bytes the browser sent, over every connection. */
  sent(): number;
  /** The request lines of the resumable-upload calls seen, in order (`PATCH`, `HEAD`, `POST`). */
  uploadCalls: string[];
  close(): Promise<void>;
}

/**
 * A TCP proxy to `target` on 127.0.0.1 that destroys the first connection carrying a
 * `PATCH /api/v1/uploads/…` once that request has sent `cutAfter` bytes, as a phone walking out of
 * Wi-Fi range would.
 */
async function cuttingProxy(targetPort: number, cutAfter: number): Promise<CuttingProxy> {
  let sent = 0;
  let cut = false;
  const uploadCalls: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let patchBytes: number | undefined;
    client.on('data', (chunk: Buffer) => {
      sent += chunk.byteLength;
      const text = chunk.subarray(0, 64).toString('latin1');
      const call = /^(PATCH|HEAD|POST|DELETE) (\/api\/v1\/uploads\S*)/.exec(text);
      if (call) {
        uploadCalls.push(call[1]!);
        patchBytes = call[1] === 'PATCH' ? 0 : undefined;
      }
      if (patchBytes !== undefined) {
        patchBytes += chunk.byteLength;
        if (!cut && patchBytes >= cutAfter) {
          cut = true;
          client.destroy();
          upstream.destroy();
          return;
        }
      }
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    sent: () => sent,
    uploadCalls,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => server.close(closed));
    },
  };
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('a video uploaded from the browser resumes after the connection drops', () => {
  test(
    'the page carries on from the byte the server holds: the stored video is byte-identical, and little is sent twice',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'iclood-resumable-'));
      // A real MP4 from ffmpeg, made phone-video sized with a 64 MiB `free` box after its boxes (ISO BMFF).
      const made = await makeVideo({ seconds: 2, takenAt: '2024-08-03T17:45:00Z', seed: 4242 });
      const video = join(dir, 'IMG_4242.MP4');
      await copyFile(made.path, video);
      const padding = 64 * MIB;
      const header = Buffer.alloc(8);
      header.writeUInt32BE(padding + 8);
      header.write('free', 4, 'latin1');
      await appendFile(video, header);
      for (let written = 0; written < padding; written += 8 * MIB)
        await appendFile(video, randomBytes(8 * MIB));
      const size = made.size + 8 + padding;
      const proxy = await cuttingProxy(Number(new URL(household.origin).port), CUT_AFTER);
      try {
        const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP, {
          origin: proxy.origin,
        });
        await page.goto(`${proxy.origin}/photos`);
        await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        const panel = page.getByRole('region', { name: 'Uploads' });
        await page.locator('input[type=file]').setInputFiles(video);

        const entry = panel.getByRole('listitem').filter({ hasText: 'IMG_4242.MP4' });
        await entry.getByText('Added').waitFor({ timeout: 120_000 });
        await screenshot(page, 'upload-resumed');

        // It was cut, asked where it stood, and sent the rest: POST, PATCH (cut), HEAD, PATCH. Chromium
        // may first send the cut PATCH again by itself on a new connection (a reset of a reused
        // connection); the server answers that one 409 with its offset, which the page does not see.
        const calls = proxy.uploadCalls.join(' ');
        expect(calls).toMatch(/^POST PATCH( PATCH)*( HEAD PATCH)+$/);
        // Starting over would have sent 40 MiB more than the file; resuming sends again only what was
        // in flight (in the sockets' buffers) when the connection dropped.
        expect(proxy.sent()).toBeLessThan(size + 20 * MIB);

        const { items } = await household.owner.json<MediaList>('GET', '/api/v1/media/list?limit=50');
        const stored = items.find((item) => item.name === 'IMG_4242.MP4');
        expect(stored).toMatchObject({ size, type: 'video' });
        const original = await household.owner.fetch(`/api/v1/media/${stored!.id}/original`);
        const hash = createHash('sha256');
        for await (const chunk of original.body!) hash.update(chunk);
        expect(hash.digest('hex')).toBe(await sha256File(video));
        // Nothing of it is left among the uploads under way.
        const resumable = join(household.server.libraryDir, '.tmp', 'resumable');
        expect(await readdir(resumable).catch(() => [])).toEqual([]);

        // The cut connection is the one failed load the console shows, if any.
        expect(
          errors.filter((line) => !/net::ERR_|status of 409/.test(line)),
          errors.join('\n'),
        ).toEqual([]);
        await context.close();
      } finally {
        await proxy.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});
