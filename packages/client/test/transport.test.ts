// The client's own rules, seen through the fetch it is given: what it sends (auth, body, query)
// and how it reads what comes back. The server end to end: apps/server/test/client-package.test.ts.
import { describe, expect, it } from 'vitest';
import { ApiError, createClient, pages, queryString } from '../src/index.js';

interface Sent {
  url: string;
  init: RequestInit;
}

function fakeFetch(answer: (sent: Sent) => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const request = { url: String(input), init };
    sent.push(request);
    return answer(request);
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const success = (data: unknown) => json(200, { status: 'success', data, message: 'OK' });

describe('queryString', () => {
  it('leaves out empty values and repeats the key of a list', () => {
    expect(queryString({ a: 1, b: undefined, c: null, d: '', e: false, albums: ['Kids', 'Ski 2025'] })).toBe(
      '?a=1&e=false&albums=Kids&albums=Ski+2025',
    );
    expect(queryString({ a: undefined })).toBe('');
  });
});

describe('requests', () => {
  it('sends a device token as a bearer and no cookies; without one, the same-origin cookie', async () => {
    const withToken = fakeFetch(() => success({ ok: true }));
    await createClient({
      baseUrl: 'http://pi.local:8080/',
      token: 'tkn',
      fetch: withToken.fetch,
    }).pingServer();
    const [first] = withToken.sent;
    expect(first?.url).toBe('http://pi.local:8080/api/v1/ping');
    expect(new Headers(first?.init.headers).get('authorization')).toBe('Bearer tkn');
    expect(first?.init.credentials).toBe('omit');

    const browser = fakeFetch(() => success({ ok: true }));
    await createClient({ fetch: browser.fetch }).pingServer();
    expect(browser.sent[0]?.url).toBe('/api/v1/ping');
    expect(new Headers(browser.sent[0]?.init.headers).has('authorization')).toBe(false);
    expect(browser.sent[0]?.init.credentials).toBe('same-origin');
  });

  it('sends JSON only with a body (Fastify refuses an empty JSON body)', async () => {
    const { sent, fetch } = fakeFetch(() => success({}));
    const api = createClient({ fetch });
    await api.logOut();
    await api.updateDevice('d1', { name: 'Hall' });
    expect(sent[0]?.init.body).toBeUndefined();
    expect(new Headers(sent[0]?.init.headers).has('content-type')).toBe(false);
    expect(sent[1]?.init.method).toBe('PATCH');
    expect(sent[1]?.url).toBe('/api/v1/devices/d1');
    expect(new Headers(sent[1]?.init.headers).get('content-type')).toBe('application/json');
    expect(sent[1]?.init.body).toBe('{"name":"Hall"}');
  });

  it('turns an error envelope into ApiError with its code, status and details', async () => {
    const { fetch } = fakeFetch(() =>
      json(409, {
        status: 'error',
        message: 'Conflict',
        error: {
          code: 'USERNAME_TAKEN',
          message: 'That username is taken',
          details: [{ field: 'body/username', message: 'taken' }],
        },
      }),
    );
    const error = await createClient({ fetch })
      .addUser({ username: 'ben', password: 'long enough pw' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'USERNAME_TAKEN', status: 409, message: 'That username is taken' });
    expect((error as ApiError).details).toEqual([{ field: 'body/username', message: 'taken' }]);
    expect((error as ApiError).isUnreachable).toBe(false);
  });

  it('says UNEXPECTED_RESPONSE for an answer that is not an iClood envelope (a proxy page)', async () => {
    const html = fakeFetch(
      () =>
        new Response('<h1>502 Bad Gateway</h1>', { status: 502, headers: { 'content-type': 'text/html' } }),
    );
    await expect(createClient({ fetch: html.fetch }).pingServer()).rejects.toMatchObject({
      code: 'UNEXPECTED_RESPONSE',
      status: 502,
      isUnreachable: true,
    });
    const otherJson = fakeFetch(() => json(200, { hello: 'world' }));
    await expect(createClient({ fetch: otherJson.fetch }).pingServer()).rejects.toMatchObject({
      code: 'UNEXPECTED_RESPONSE',
    });
  });

  it('gives up after timeoutMs with NETWORK_ERROR, saying the server did not answer in time', async () => {
    const { fetch } = fakeFetch(
      ({ init }) =>
        new Promise<Response>((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
    );
    await expect(createClient({ fetch, timeoutMs: 20 }).pingServer()).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      status: 0,
      message: 'The iClood server did not answer in time.',
    });
  });

  it('calls onUnauthorized on a 401, except from the sign-in calls themselves', async () => {
    let ended = 0;
    const { fetch } = fakeFetch(() =>
      json(401, { status: 'error', message: 'No', error: { code: 'UNAUTHORIZED', message: 'No' } }),
    );
    const api = createClient({ fetch, onUnauthorized: () => (ended += 1) });
    await expect(api.listMedia({})).rejects.toMatchObject({ status: 401 });
    expect(ended).toBe(1);
    await expect(api.logIn({ username: 'a', password: 'b' })).rejects.toMatchObject({ status: 401 });
    expect(ended).toBe(1);
  });

  it('builds the URLs a browser loads directly under the base URL', () => {
    const api = createClient({ baseUrl: 'https://pi.local:8443' });
    expect(api.thumbnailUrl('a b', 'small')).toBe(
      'https://pi.local:8443/api/v1/media/a%20b/thumbnail?size=small',
    );
    expect(api.originalUrl('x', true)).toBe('https://pi.local:8443/api/v1/media/x/original?download=1');
    expect(api.restoreUrl).toBe('https://pi.local:8443/api/v1/media/batch/restore');
  });
});

describe('pages', () => {
  it('fetches page after page by cursor until there is none, only as the loop asks', async () => {
    const asked: (string | undefined)[] = [];
    const book: Record<string, { items: number[]; nextCursor: string | null }> = {
      start: { items: [1, 2], nextCursor: 'p2' },
      p2: { items: [3], nextCursor: 'p3' },
      p3: { items: [4], nextCursor: null },
    };
    const fetchPage = async (cursor: string | undefined) => {
      asked.push(cursor);
      return book[cursor ?? 'start']!;
    };
    const seen: number[] = [];
    for await (const page of pages(fetchPage)) {
      seen.push(...page.items);
      if (seen.length >= 3) break;
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(asked).toEqual([undefined, 'p2']);
  });
});
