import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect } from 'vitest';
import { databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe('OpenAPI document', () => {
  const it = serverTest(databaseTargets[0]!, { owner: false });

  it('is valid OpenAPI 3 at /docs/json and lists every route with its envelope', async ({ server }) => {
    const response = await server.app.inject({ url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\./);

    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/v1/albums',
      '/api/v1/albums/{id}',
      '/api/v1/albums/{id}/media',
      '/api/v1/auth/login',
      '/api/v1/auth/logout',
      '/api/v1/auth/me',
      '/api/v1/auth/password',
      '/api/v1/auth/register',
      '/api/v1/auth/register/preview',
      '/api/v1/auth/sessions/revoke-others',
      '/api/v1/backup/history',
      '/api/v1/backup/start',
      '/api/v1/backup/status',
      '/api/v1/backup/stop',
      '/api/v1/devices',
      '/api/v1/devices/{id}',
      '/api/v1/media/batch/delete',
      '/api/v1/media/batch/restore',
      '/api/v1/media/check',
      '/api/v1/media/ignore',
      '/api/v1/media/ignored',
      '/api/v1/media/ignored/{id}',
      '/api/v1/media/list',
      '/api/v1/media/summary',
      '/api/v1/media/timeline',
      '/api/v1/media/upload',
      '/api/v1/media/{id}',
      '/api/v1/media/{id}/original',
      '/api/v1/media/{id}/thumbnail',
      '/api/v1/pairing',
      '/api/v1/pairing/{id}',
      '/api/v1/pairing/{id}/qr.png',
      '/api/v1/pairing/{id}/qr.svg',
      '/api/v1/ping',
      '/api/v1/setup',
      '/api/v1/system/ca.mobileconfig',
      '/api/v1/system/ca.pem',
      '/api/v1/system/cleanup',
      '/api/v1/system/jobs/retry',
      '/api/v1/system/status',
      '/api/v1/system/storage',
      '/api/v1/trash',
      '/api/v1/trash/delete',
      '/api/v1/trash/restore',
      '/api/v1/uploads',
      '/api/v1/uploads/{id}',
      '/api/v1/users',
      '/api/v1/users/{id}',
      '/ping',
    ]);
    expect(Object.keys(document.paths['/api/v1/uploads']).sort()).toEqual(['options', 'post']);
    expect(Object.keys(document.paths['/api/v1/uploads/{id}']).sort()).toEqual(['delete', 'head', 'patch']);
    const summary = document.paths['/api/v1/media/summary'].get;
    expect(summary.tags).toEqual(['media']);
    expect(summary.parameters.map((parameter: { name: string }) => parameter.name).sort()).toEqual([
      'album',
      'device',
      'favorite',
      'from',
      'q',
      'to',
      'type',
    ]);
    expect(
      Object.keys(
        summary.responses['200'].content['application/json'].schema.properties.data.properties,
      ).sort(),
    ).toEqual(['bytes', 'count', 'photos', 'takenFrom', 'takenTo', 'videos']);
    expect(document.paths['/api/v1/auth/register'].post.security).toEqual([]);
    expect(document.paths['/api/v1/auth/register/preview'].post.security).toEqual([]);
    expect(Object.keys(document.paths['/api/v1/pairing/{id}/qr.png'].get.responses['200'].content)).toEqual([
      'image/png',
    ]);
    const login = document.paths['/api/v1/auth/login'].post;
    expect(login.security).toEqual([]);
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    expect(
      login.responses['200'].content['application/json'].schema.properties.status.enum ??
        login.responses['200'].content['application/json'].schema.properties.status.const,
    ).toBeDefined();
    expect(login.responses['4XX'] ?? login.responses['4xx']).toBeDefined();
    expect(document.paths['/api/v1/auth/me'].get.security).toBeUndefined(); // inherits bearer/cookie
    expect(document.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }, { deviceCookie: [] }]);
  });

  it('describes the upload body (a form with a file, or the raw bytes) and an example per status', async ({
    server,
  }) => {
    const document = (await server.app.inject({ url: '/docs/json' })).json();
    const upload = document.paths['/api/v1/media/upload'].post;
    const { content } = upload.requestBody;
    expect(Object.keys(content).sort()).toEqual(['application/octet-stream', 'multipart/form-data']);
    const form = content['multipart/form-data'].schema;
    expect(form.properties.file).toMatchObject({ type: 'string', format: 'binary' });
    expect(form.required).toEqual(['file']);
    expect(Object.keys(form.properties)).toEqual(expect.arrayContaining(['filename', 'albums', 'sha256']));
    expect(content['application/octet-stream'].schema).toMatchObject({ type: 'string', format: 'binary' });
    const statusOf = (code: string) =>
      upload.responses[code].content['application/json'].schema.properties.data.properties.status;
    expect(statusOf('200').example).toBe('duplicate');
    expect(statusOf('201').example).toBe('created');
  });

  it('serves the UI at /docs', async ({ server }) => {
    const response = await server.app.inject({ url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
  });
});
