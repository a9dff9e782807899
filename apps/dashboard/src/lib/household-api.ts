// The calls of the account, people and storage pages (kept apart from api.ts so the issue-12
// screens merge without touching each other's lines). Types only from @iclood/api-types.
import type {
  ChangePasswordResult,
  CleanupResult,
  CreateUserRequest,
  DeleteUserResult,
  DeviceList,
  RetryJobsResult,
  RevokeOtherSessionsResult,
  SystemStorage,
  UpdateUserRequest,
  UserList,
  UserResult,
} from '@iclood/api-types';
import { apiRequest, queryString } from './api-client.js';

const API = '/api/v1';
const userPath = (id: string) => `${API}/users/${encodeURIComponent(id)}`;

export const listUsers = () => apiRequest<UserList>('GET', `${API}/users`);
export const addUser = (request: CreateUserRequest) =>
  apiRequest<UserResult>('POST', `${API}/users`, request);
export const updateUser = (id: string, changes: UpdateUserRequest) =>
  apiRequest<UserResult>('PATCH', userPath(id), changes);
/** The paired phones, CLI logins and Shortcut tokens of one household member (admin). */
export const listDevicesOf = (userId: string) =>
  apiRequest<DeviceList>('GET', `${API}/devices${queryString({ user: userId })}`);
export const removeUser = (id: string) => apiRequest<DeleteUserResult>('DELETE', userPath(id));

/** Changes the signed-in person's password; their other dashboard sessions end. */
export const changeOwnPassword = (currentPassword: string, newPassword: string) =>
  apiRequest<ChangePasswordResult>('POST', `${API}/auth/password`, { currentPassword, newPassword });
export const revokeOtherSessions = () =>
  apiRequest<RevokeOtherSessionsResult>('POST', `${API}/auth/sessions/revoke-others`);

export const getStorage = () => apiRequest<SystemStorage>('GET', `${API}/system/storage`);
export const cleanUpStorage = () => apiRequest<CleanupResult>('POST', `${API}/system/cleanup`);
export const retryFailedJobs = () => apiRequest<RetryJobsResult>('POST', `${API}/system/jobs/retry`);
