import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { addMember, bearer, databaseTargets, pairPhone, type TestServer } from './helper.js';
import { serverTest } from './server-test.js';

/**
 * Who may call each operation, written down here independently of the routes' own declarations:
 * a route whose declaration drifts from this table, or an operation missing from it, fails.
 * (DESIGN §4: `media.upload` covers check, upload, ignore and backup sessions; `admin` the
 * household and the server; a Shortcut token reaches only what uploading needs.)
 */
type Expected =
  'public' | 'principal' | 'user-session' | 'media.upload' | 'media.read' | 'media.write' | 'admin';
const EXPECTED_ACCESS: Record<string, Expected> = {
  'GET /ping': 'public',
  'GET /api/v1/ping': 'public',
  'GET /api/v1/setup': 'public',
  'POST /api/v1/setup': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/register': 'public',
  'POST /api/v1/auth/register/preview': 'public',
  'GET /api/v1/system/ca.pem': 'public',
  'GET /api/v1/system/ca.mobileconfig': 'public',
  'GET /api/v1/auth/me': 'principal',
  'PATCH /api/v1/devices/{id}': 'principal',
  'DELETE /api/v1/devices/{id}': 'principal',
  'POST /api/v1/devices': 'user-session',
  'POST /api/v1/auth/password': 'user-session',
  'POST /api/v1/auth/sessions/revoke-others': 'user-session',
  'POST /api/v1/pairing': 'user-session',
  'GET /api/v1/pairing/{id}': 'user-session',
  'GET /api/v1/pairing/{id}/qr.svg': 'user-session',
  'GET /api/v1/pairing/{id}/qr.png': 'user-session',
  'POST /api/v1/media/check': 'media.upload',
  'POST /api/v1/media/upload': 'media.upload',
  'POST /api/v1/media/ignore': 'media.upload',
  'GET /api/v1/media/ignored': 'media.upload',
  'DELETE /api/v1/media/ignored/{id}': 'media.upload',
  'POST /api/v1/backup/start': 'media.upload',
  'POST /api/v1/backup/stop': 'media.upload',
  'GET /api/v1/backup/status': 'media.upload',
  'GET /api/v1/backup/history': 'media.upload',
  'OPTIONS /api/v1/uploads': 'public',
  'POST /api/v1/uploads': 'media.upload',
  'HEAD /api/v1/uploads/{id}': 'media.upload',
  'PATCH /api/v1/uploads/{id}': 'media.upload',
  'DELETE /api/v1/uploads/{id}': 'media.upload',
  'GET /api/v1/devices': 'media.read',
  'GET /api/v1/system/status': 'media.read',
  'GET /api/v1/system/storage': 'media.read',
  'GET /api/v1/media/list': 'media.read',
  'GET /api/v1/media/summary': 'media.read',
  'GET /api/v1/media/timeline': 'media.read',
  'GET /api/v1/media/{id}': 'media.read',
  'GET /api/v1/media/{id}/original': 'media.read',
  'GET /api/v1/media/{id}/thumbnail': 'media.read',
  'POST /api/v1/media/batch/restore': 'media.read',
  'GET /api/v1/albums': 'media.read',
  'GET /api/v1/albums/{id}': 'media.read',
  'GET /api/v1/trash': 'media.read',
  'PATCH /api/v1/media/{id}': 'media.write',
  'DELETE /api/v1/media/{id}': 'media.write',
  'POST /api/v1/media/batch/delete': 'media.write',
  'POST /api/v1/albums': 'media.write',
  'PATCH /api/v1/albums/{id}': 'media.write',
  'DELETE /api/v1/albums/{id}': 'media.write',
  'POST /api/v1/albums/{id}/media': 'media.write',
  'DELETE /api/v1/albums/{id}/media': 'media.write',
  'POST /api/v1/trash/restore': 'media.write',
  'POST /api/v1/trash/delete': 'media.write',
  'DELETE /api/v1/trash': 'media.write',
  'GET /api/v1/users': 'admin',
  'POST /api/v1/users': 'admin',
  'PATCH /api/v1/users/{id}': 'admin',
  'DELETE /api/v1/users/{id}': 'admin',
  'POST /api/v1/system/cleanup': 'admin',
  'POST /api/v1/system/jobs/retry': 'admin',
  // Last: it revokes the token that calls it.
  'DELETE /api/v1/auth/logout': 'principal',
};

/** The callers a household has, and which of the access levels each one holds. */
const CALLERS = {
  'no token': [],
  'Shortcut (media.upload)': ['media.upload'],
  'device with media.read only': ['media.read'],
  'device with media.write only': ['media.write'],
  'owner device with admin only': ['admin'],
  'paired phone (upload, read, write)': ['media.upload', 'media.read', 'media.write'],
  'member session': ['user-session', 'media.upload', 'media.read', 'media.write'],
  'admin session': ['user-session', 'media.upload', 'media.read', 'media.write', 'admin'],
  'owner session': ['user-session', 'media.upload', 'media.read', 'media.write', 'admin'],
} as const satisfies Record<string, readonly Expected[]>;
type Caller = keyof typeof CALLERS;

/**
 * Past the door, a handler may still refuse with its own 403: backup sessions belong to a paired
 * device, so a browser login asking for "its" backup status is told so.
 */
const HANDLER_REFUSES: Record<string, Caller[]> = {
  'GET /api/v1/backup/status': ['member session', 'admin session', 'owner session'],
  // Past the door with no body at all (it is optional), then: backup sessions are a device's.
  'POST /api/v1/backup/start': ['member session', 'admin session', 'owner session'],
};

function mayCall(caller: Caller, access: Expected): boolean {
  if (access === 'public') return true;
  if (caller === 'no token') return false;
  return access === 'principal' || (CALLERS[caller] as readonly Expected[]).includes(access);
}

describe.each(databaseTargets)(
  'every operation answers each kind of caller as declared ($label)',
  (target) => {
    const tokens = new Map<Caller, string | undefined>();

    const it = serverTest(target, {
      options: { loginRateLimit: { max: 1000, timeWindowMs: 60_000 } },
      member: 'member',
      async seed({ server, owner, member, api }) {
        const admin = await addMember(server.app, owner, 'admin');
        const promoted = await api('PATCH', `/users/${admin.id}`, { role: 'admin' });
        expect(promoted.json().data.user.role).toBe('admin');
        const device = async (scopes: string[]) => {
          const response = await api('POST', '/devices', {
            name: scopes.join('+'),
            platform: 'shortcuts',
            scopes,
          });
          expect(response.statusCode).toBe(201);
          return response.json().data.token as string;
        };
        tokens.set('no token', undefined);
        tokens.set('Shortcut (media.upload)', await device(['media.upload']));
        tokens.set('device with media.read only', await device(['media.read']));
        tokens.set('device with media.write only', await device(['media.write']));
        tokens.set('owner device with admin only', await device(['admin']));
        tokens.set('paired phone (upload, read, write)', (await pairPhone(server.app, member.token)).token);
        tokens.set('member session', member.token);
        tokens.set('admin session', admin.token);
        tokens.set('owner session', owner);
      },
    });

    async function operations(server: TestServer): Promise<string[]> {
      const document = (await server.app.inject({ url: '/docs/json' })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      return Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );
    }

    it('the table names exactly the operations the OpenAPI document lists', async ({ server }) => {
      expect((await operations(server)).sort()).toEqual(Object.keys(EXPECTED_ACCESS).sort());
    });

    it('no token: 401; a token without the access: 403; a token with it gets past the door', async ({
      server,
    }) => {
      const problems: string[] = [];
      for (const [operation, access] of Object.entries(EXPECTED_ACCESS)) {
        const [method, template] = operation.split(' ') as [string, string];
        const url = template.replaceAll('{id}', randomUUID());
        for (const caller of Object.keys(CALLERS) as Caller[]) {
          const token = tokens.get(caller);
          const response = await server.app.inject({
            method: method as 'GET',
            url,
            headers: token ? bearer(token) : {},
          });
          // A HEAD answer has no body to carry the error's code: its status alone is checked.
          const code =
            String(response.headers['content-type']).includes('json') && method !== 'HEAD'
              ? response.json().error?.code
              : '';
          const allowed = mayCall(caller, access);
          const seen = `${operation} as ${caller}: ${response.statusCode} ${code ?? ''}`;
          const refusedInside = HANDLER_REFUSES[operation]?.includes(caller) && code === 'FORBIDDEN';
          if (allowed && !refusedInside && [401, 403].includes(response.statusCode)) problems.push(seen);
          const unauthorized = method === 'HEAD' || code === 'UNAUTHORIZED';
          if (!allowed && caller === 'no token' && (response.statusCode !== 401 || !unauthorized)) {
            problems.push(seen);
          }
          if (!allowed && caller !== 'no token' && response.statusCode !== 403) problems.push(seen);
          if (response.statusCode >= 500) problems.push(seen);
        }
      }
      expect(problems).toEqual([]);
    });
  },
);
