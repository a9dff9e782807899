import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { App } from '../../types.js';

/**
 * OpenAPI 3 from the api-types TypeBox schemas every route declares; UI at /docs, JSON at
 * /docs/json. The docs hold no data, so they are public like the dashboard's page.
 */
export default fp(
  async function swaggerPlugin(app: App) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'iClood API',
          version: app.identity.version,
          description:
            'Self-hosted backup server for iPhone photos and videos. Every JSON response is wrapped in ' +
            '`{ status, data, message, timestamp }`; errors carry `error: { code, message }`.',
        },
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
            sessionCookie: { type: 'apiKey', in: 'cookie', name: 'iclood_session' },
            deviceCookie: {
              type: 'apiKey',
              in: 'cookie',
              name: 'iclood_device',
              description: 'A browser paired as a web device on the pairing page (`platform: "web"`)',
            },
          },
        },
        security: [{ bearerAuth: [] }, { sessionCookie: [] }, { deviceCookie: [] }],
        tags: [
          { name: 'health', description: 'Reachability, no auth' },
          { name: 'setup', description: 'First run' },
          { name: 'auth', description: 'Login sessions' },
          { name: 'pairing', description: 'Pairing phones by QR code or manual code' },
          { name: 'devices', description: 'Paired phones and Shortcut tokens' },
          { name: 'users', description: 'Household members (owner only)' },
          {
            name: 'media',
            description:
              'Checking, uploading, browsing, downloading, restoring and managing photos and videos',
          },
          { name: 'albums', description: 'Albums of a library; items can be in several' },
          { name: 'backup', description: 'Backup sessions of a device' },
          { name: 'system', description: 'Server state' },
        ],
      },
      // Public routes say so in their config; the document shows them without a lock.
      transform: ({ schema, url, route }) => {
        const transformed = { ...schema } as Record<string, unknown>;
        if (route.config?.access === 'public') transformed['security'] = [];
        return { schema: transformed, url };
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  },
  { name: 'swagger', dependencies: [] },
);
