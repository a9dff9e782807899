import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { canonicalPath } from '../src/plugins/app/error-handler.js';
import { databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

/**
 * The same protected path written the ways a router, a proxy or a browser might read
 * differently. Sent byte for byte over a real socket: app.inject and fetch would tidy the URL.
 */
const SPELLINGS: Record<string, (path: string) => string> = {
  'first letter of each segment percent-encoded': (path) =>
    path.replace(/\/([a-z])/g, (_all, letter: string) => `/%${letter.charCodeAt(0).toString(16)}`),
  'every letter of "api" encoded': (path) => path.replace('/api/', '/%61%70%69/'),
  'encoded slashes': (path) => path.replace(/^\/api\/v1\//, '/api%2Fv1%2F'),
  'doubled slashes': (path) => path.replaceAll('/', '//'),
  'a leading doubled slash': (path) => `/${path}`,
  'upper case': (path) => path.toUpperCase(),
  'mixed case': (path) => path.replace('/api/', '/Api/'),
  'trailing slash': (path) => `${path}/`,
  'trailing encoded slash': (path) => `${path}%2F`,
  '";" parameter at the end': (path) => `${path};x=1`,
  '";" parameter on a segment': (path) => path.replace('/api/', '/api;x=1/'),
  '"." segment': (path) => path.replace('/v1/', '/v1/./'),
  '".." segment': (path) => path.replace('/v1/', '/v1/x/../'),
  'encoded "." segment': (path) => path.replace('/v1/', '/v1/%2e/'),
  'a ".." before the prefix': (path) => `/x/..${path}`,
  'double-encoded first letter': (path) => path.replace('/api/', '/%2561pi/'),
  backslashes: (path) => path.replaceAll('/', '\\'),
  'encoded NUL at the end': (path) => `${path}%00`,
  'a query string': (path) => `${path}?access=public`,
};

function rawRequest(
  port: number,
  method: string,
  target: string,
  accept: string,
): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const head = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0] ?? '';
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head });
    });
    socket.write(
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: ${accept}\r\n` +
        `Content-Length: 0\r\nConnection: close\r\n\r\n`,
    );
  });
}

describe.each(databaseTargets)(
  'authentication does not depend on how the path is spelled ($label)',
  (target) => {
    let port: number;
    let protectedOperations: Array<{ method: string; path: string }>;

    const it = serverTest(target, {
      async seed({ server }) {
        await server.app.listen({ host: '127.0.0.1', port: 0 });
        port = (server.app.server.address() as { port: number }).port;
        const document = (await server.app.inject({ url: '/docs/json' })).json() as {
          paths: Record<string, Record<string, { security?: unknown[] }>>;
        };
        protectedOperations = Object.entries(document.paths).flatMap(([template, methods]) =>
          Object.entries(methods)
            .filter(([, operation]) => operation.security?.length !== 0)
            .flatMap(([method]) => {
              const path = template.replaceAll('{id}', randomUUID());
              const upper = method.toUpperCase();
              return upper === 'GET'
                ? [
                    { method: 'GET', path },
                    { method: 'HEAD', path },
                  ]
                : [{ method: upper, path }];
            }),
        );
      },
    });

    it('finds the protected operations, and each refuses a request without a token as written', async () => {
      expect(protectedOperations.length).toBeGreaterThan(40);
      for (const { method, path } of protectedOperations) {
        expect(`${method} ${path} → ${(await rawRequest(port, method, path, '*/*')).status}`).toBe(
          `${method} ${path} → 401`,
        );
      }
    });

    it('no spelling of a protected path answers 2xx without a token, as JSON or as a page', async () => {
      const answered: string[] = [];
      for (const { method, path } of protectedOperations) {
        for (const [name, spell] of Object.entries(SPELLINGS)) {
          for (const accept of ['application/json', 'text/html']) {
            const target = spell(path);
            const { status } = await rawRequest(port, method, target, accept);
            if (status === 0 || (status >= 200 && status < 300)) {
              answered.push(`${method} ${target} (${name}, Accept ${accept}) → ${status}`);
            }
          }
        }
      }
      expect(answered).toEqual([]);
    });

    it('the reported bypass: GET /%61pi/v1/users answers 401 or 404, never the users', async () => {
      for (const target of ['/%61pi/v1/users', '/%61pi/v1/system/status', '/api/v1/%75sers']) {
        const { status, head } = await rawRequest(port, 'GET', target, 'application/json');
        expect([401, 404], head).toContain(status);
      }
    });
  },
);

describe('canonicalPath: how the dashboard fallback tells an API path from a page', () => {
  it.each([
    ['/%61pi/v1/users', '/api/v1/users'],
    ['//API//v1/users/', '/api/v1/users'],
    ['/x/../api;a=1/v1/./users', '/api/v1/users'],
    ['/%2561pi/v1', '/api/v1'],
    ['\\api\\v1', '/api/v1'],
    ['/albums/2024', '/albums/2024'],
    ['/%E0%A4%A', '/%e0%a4%a'],
  ])('%s → %s', (raw, canonical) => {
    expect(canonicalPath(raw)).toBe(canonical);
  });
});
