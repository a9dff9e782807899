import { Type, type Static } from 'typebox';

const SIZE_DESCRIPTION =
  '`small`: a grid cell, WebP, about 256 px on its short side (at most 768 px long); ' +
  '`preview`: full screen, WebP, at most 1440 px on its long side. Never larger than the original.';

export const ThumbnailSize = Type.Union([Type.Literal('small'), Type.Literal('preview')], {
  description: SIZE_DESCRIPTION,
});
export type ThumbnailSize = Static<typeof ThumbnailSize>;

export const ThumbnailQuery = Type.Object(
  {
    size: Type.Optional(
      Type.Union([Type.Literal('small'), Type.Literal('preview')], {
        description: SIZE_DESCRIPTION,
        default: 'small',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ThumbnailQuery = Static<typeof ThumbnailQuery>;

/** The job queue, as system/status shows it. */
export const JobQueueStatus = Type.Object(
  {
    pending: Type.Integer({ minimum: 0, description: 'Jobs waiting to run (retries included)' }),
    running: Type.Integer({ minimum: 0 }),
    failed: Type.Integer({ minimum: 0, description: 'Jobs given up on after their last attempt' }),
  },
  { additionalProperties: false },
);
export type JobQueueStatus = Static<typeof JobQueueStatus>;
