// The caller's devices, for the viewer's "Uploaded from": asked once per page, since a photo's
// device rarely changes while someone flips through photos.
import { listDevices } from './api.js';

let names: Promise<Map<string, string>> | undefined;

/** The name of one of the user's devices, or undefined when it is not among them (revoked). */
export async function deviceName(id: string): Promise<string | undefined> {
  names ??= listDevices().then(
    ({ devices }) => new Map(devices.map((device) => [device.id, device.name])),
    (error: unknown) => {
      names = undefined; // ask again next time
      throw error;
    },
  );
  return (await names).get(id);
}
