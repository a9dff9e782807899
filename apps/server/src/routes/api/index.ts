import healthRoutes from '../health.js';
import setupRoutes from './setup.js';
import authRoutes from './auth.js';
import systemRoutes from './system.js';
import pairingRoutes from './pairing.js';
import deviceRoutes from './devices.js';
import userRoutes from './users.js';
import systemCaRoutes from './system-ca.js';
import mediaUploadRoutes from './media-upload.js';
import mediaCheckRoutes from './media-check.js';
import mediaIgnoreRoutes from './media-ignore.js';
import mediaBrowseRoutes from './media-browse.js';
import mediaFilesRoutes from './media-files.js';
import mediaThumbnailRoutes from './media-thumbnails.js';
import backupRoutes from './backup.js';
import mediaManageRoutes from './media-manage.js';
import trashRoutes from './trash.js';
import albumRoutes from './albums.js';
import mediaRestoreRoutes from './media-restore.js';
import systemStorageRoutes from './system-storage.js';
import { protectRoutes } from '../../plugins/app/auth.js';
import type { AppPlugin } from '../../types.js';

/**
 * Everything under `/api/v1`, in one encapsulated plugin whose hooks decide access: each route
 * must declare `config.access` (or it is refused at registration), and every request is checked
 * against the route the router matched, whatever spelling of the path reached it.
 */
const apiRoutes: AppPlugin = async (app) => {
  protectRoutes(app);

  await app.register(healthRoutes);
  await app.register(setupRoutes);
  await app.register(authRoutes);
  await app.register(systemRoutes);
  await app.register(pairingRoutes);
  await app.register(deviceRoutes);
  await app.register(userRoutes);
  await app.register(systemCaRoutes);
  await app.register(mediaUploadRoutes);
  await app.register(mediaCheckRoutes);
  await app.register(mediaIgnoreRoutes);
  await app.register(mediaBrowseRoutes);
  await app.register(mediaFilesRoutes);
  await app.register(mediaThumbnailRoutes);
  await app.register(backupRoutes);
  await app.register(mediaManageRoutes);
  await app.register(trashRoutes);
  await app.register(albumRoutes);
  await app.register(mediaRestoreRoutes);
  await app.register(systemStorageRoutes);
};

export default apiRoutes;
