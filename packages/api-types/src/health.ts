import { Type, type Static } from 'typebox';

export const PingData = Type.Object(
  {
    name: Type.Literal('iClood'),
    version: Type.String({ description: 'Server version (semver)' }),
    serverId: Type.String({
      format: 'uuid',
      description: 'Made on first start and kept; phones use it to recognise this server',
    }),
  },
  { additionalProperties: false },
);
export type PingData = Static<typeof PingData>;
