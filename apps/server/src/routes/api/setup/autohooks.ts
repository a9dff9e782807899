import { folderAccess } from '../../../plugins/app/auth.js';

/** Who may call every route of this folder. The first-run page: it works only while no user exists, before anyone can sign in. */
export default folderAccess('public');
