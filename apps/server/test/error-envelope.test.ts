import { describe, expect } from 'vitest';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('bad input gets a 4xx in the envelope ($label)', (target) => {
  const it = serverTest(target);

  function expectError(
    response: { statusCode: number; json(): unknown; body: string },
    status: number,
    code: string,
  ) {
    expect(response.statusCode).toBe(status);
    const body = response.json() as {
      status: string;
      error: { code: string; message: string };
      message: string;
    };
    expect(body.status).toBe('error');
    expect(body.error.code).toBe(code);
    expect(body.message).toBe(body.error.message);
    expect(response.body).not.toMatch(/at .*\.(js|ts):\d+/); // no stack traces
  }

  it('unknown API route → 404 ROUTE_NOT_FOUND, even without a token', async ({ server }) => {
    expectError(await server.app.inject({ url: '/api/v1/nothing-here' }), 404, 'ROUTE_NOT_FOUND');
    expectError(await server.app.inject({ method: 'POST', url: '/api/v1/ping' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('malformed JSON → 400 INVALID_JSON', async ({ server }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": "owner", "password": ',
    });
    expectError(response, 400, 'INVALID_JSON');
  });

  it('an empty JSON body → 400 INVALID_JSON', async ({ server }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expectError(response, 400, 'INVALID_JSON');
  });

  it('a body that breaks the schema → 400 VALIDATION_FAILED naming the field', async ({ server }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'owner' },
    });
    expectError(response, 400, 'VALIDATION_FAILED');
    const details = (response.json() as { error: { details: Array<{ field: string }> } }).error.details;
    expect(details[0]!.field).toMatch(/^body/);
    expect(response.json().error.message).toMatch(/password/);
  });

  it('an unsupported content type → 415 UNSUPPORTED_MEDIA_TYPE', async ({ server }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x',
    });
    expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a JSON body over the limit → 413 PAYLOAD_TOO_LARGE', async ({ server }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'owner', password: 'x'.repeat(2 * 1024 * 1024) },
    });
    expectError(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('no token → 401 UNAUTHORIZED; a token → 200', async ({ server, owner: token }) => {
    expectError(await server.app.inject({ url: '/api/v1/system/status' }), 401, 'UNAUTHORIZED');
    const ok = await server.app.inject({ url: '/api/v1/system/status', headers: bearer(token) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('success');
  });
});
