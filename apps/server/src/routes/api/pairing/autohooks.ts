import { folderAccess } from '../../../plugins/app/auth.js';

/** Who may call every route of this folder. Opening a pairing and showing its QR code is a signed-in person's act, never a device token's. */
export default folderAccess('user-session');
