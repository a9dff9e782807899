// The endpoints this page uses, typed by the HTTP contract in @iclood/api-types.
import type {
  LoginRequest,
  LoginResult,
  LogoutResult,
  Me,
  PingData,
  SetupRequest,
  SetupStatus,
  SystemStatus,
} from '@iclood/api-types';
import { apiRequest } from './api-client.js';

export function getSetupStatus(): Promise<SetupStatus> {
  return apiRequest<SetupStatus>('GET', '/api/v1/setup');
}

/** Creates the owner on first run; the server also sets the session cookie. */
export function createOwnerAccount(request: SetupRequest): Promise<LoginResult> {
  return apiRequest<LoginResult>('POST', '/api/v1/setup', request);
}

export function logIn(request: LoginRequest): Promise<LoginResult> {
  return apiRequest<LoginResult>('POST', '/api/v1/auth/login', request);
}

export function getCurrentUser(): Promise<Me> {
  return apiRequest<Me>('GET', '/api/v1/auth/me');
}

export function logOut(): Promise<LogoutResult> {
  return apiRequest<LogoutResult>('DELETE', '/api/v1/auth/logout');
}

export function getSystemStatus(): Promise<SystemStatus> {
  return apiRequest<SystemStatus>('GET', '/api/v1/system/status');
}

export function pingServer(): Promise<PingData> {
  return apiRequest<PingData>('GET', '/api/v1/ping');
}
