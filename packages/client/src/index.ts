// @iclood/client: the typed /api/v1 client, for the dashboard (browser) and command-line tools
// (Node 20+). Fetch-based, no dependencies beyond the HTTP contract's types.
export { createClient, pages, type IcloodClient } from './client.js';
export {
  ApiError,
  CLIENT_ERROR,
  NETWORK_ERROR,
  UNEXPECTED_RESPONSE,
  isEnvelope,
  readEnvelope,
  toApiError,
  unwrapEnvelope,
} from './errors.js';
export {
  createTransport,
  queryString,
  type ClientOptions,
  type HttpMethod,
  type QueryValue,
  type Transport,
} from './transport.js';
