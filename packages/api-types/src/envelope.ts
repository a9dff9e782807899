import { Type, type Static, type TSchema } from 'typebox';

/** ISO-8601 instant, always UTC, e.g. `2026-11-21T08:18:00.000Z`. */
export const Timestamp = Type.String({ format: 'date-time' });

/**
 * The success envelope every JSON response is wrapped in (DESIGN §4).
 *
 * @example
 * response: { 200: SuccessEnvelope(PingData) }
 */
export function SuccessEnvelope<T extends TSchema>(data: T) {
  return Type.Object(
    {
      status: Type.Literal('success'),
      data,
      message: Type.String(),
      timestamp: Timestamp,
    },
    { additionalProperties: false },
  );
}

export const ErrorDetail = Type.Object(
  {
    field: Type.String({ description: 'Where the problem is, e.g. `body/username`' }),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type ErrorDetail = Static<typeof ErrorDetail>;

export const ErrorEnvelope = Type.Object(
  {
    status: Type.Literal('error'),
    error: Type.Object(
      {
        code: Type.String({ description: 'Stable, machine-readable error code, e.g. `TOKEN_EXPIRED`' }),
        message: Type.String(),
        details: Type.Optional(Type.Array(ErrorDetail)),
      },
      { additionalProperties: false },
    ),
    message: Type.String(),
    timestamp: Timestamp,
  },
  { additionalProperties: false, description: 'Every error, whatever the status' },
);
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;

export interface SuccessEnvelopeOf<T> {
  status: 'success';
  data: T;
  message: string;
  timestamp: string;
}

/**
 * A route's response map: the success schemas given, plus the error envelope for every 4xx/5xx.
 *
 * @example
 * schema: { response: withErrorResponses({ 200: SuccessEnvelope(Me) }) }
 */
export function withErrorResponses<T extends Record<number, TSchema>>(success: T) {
  return { ...success, '4xx': ErrorEnvelope, '5xx': ErrorEnvelope };
}
