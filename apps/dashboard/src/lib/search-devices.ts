// The caller's devices, for the search page's "Device" filter.
import type { DeviceList } from '@iclood/api-types';
import { apiRequest } from './api-client.js';

export const listDevices = () => apiRequest<DeviceList>('GET', '/api/v1/devices');
