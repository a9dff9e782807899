// Only until services/thumbnail-job.ts, which still imports this path, moves with the media
// work: the runner itself is jobs/job-runner.ts. Delete this file when that import changes.
export type { JobHandler } from './jobs/job-runner.js';
