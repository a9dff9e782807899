import { folderAccess } from '../../../plugins/app/auth.js';

/** Who may call every route of this folder. Backup sessions are what uploading devices (and Shortcuts) do: `media.upload`, as DESIGN §4 says. */
export default folderAccess('media.upload');
