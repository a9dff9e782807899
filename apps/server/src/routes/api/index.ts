import healthRoutes from '../health.js';
import setupRoutes from './setup.js';
import authRoutes from './auth.js';
import systemRoutes from './system.js';
import type { AppPlugin } from '../../types.js';

/** Everything under `/api/v1`. Routes are authenticated unless their config says `public`. */
const apiRoutes: AppPlugin = async (app) => {
  await app.register(healthRoutes);
  await app.register(setupRoutes);
  await app.register(authRoutes);
  await app.register(systemRoutes);
};

export default apiRoutes;
