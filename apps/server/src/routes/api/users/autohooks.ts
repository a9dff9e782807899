import { folderAccess } from '../../../plugins/app/auth.js';

/** Who may call every route of this folder. The household's members are managed by the owner and admins (scope `admin`). */
export default folderAccess('admin');
