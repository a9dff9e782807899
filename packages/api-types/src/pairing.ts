import { Type, type Static } from 'typebox';
import { DeviceName, DeviceSummary } from './devices.js';
import { Timestamp } from './envelope.js';

export const PairingState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('claimed'),
  Type.Literal('expired'),
  Type.Literal('burned'),
]);
export type PairingState = Static<typeof PairingState>;

export const CreatePairingRequest = Type.Object(
  {
    userId: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'Pair a phone for this household member (an owner or admin only; an admin pairs members, the owner anyone). Default: the caller.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreatePairingRequest = Static<typeof CreatePairingRequest>;

/** The member a pairing is for, as the dashboard names them. */
export const PairingUser = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    username: Type.String(),
    displayName: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type PairingUser = Static<typeof PairingUser>;

export const CreatePairingResult = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    userId: Type.String({ format: 'uuid', description: 'Whose the paired device will be' }),
    forUser: PairingUser,
    code: Type.String({
      description: 'Manual code, shown as XXXX-XXXX',
      pattern: '^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$',
    }),
    qrPayload: Type.String({
      description:
        'What the QR code holds: the pairing link `<first server URL>/pair#v=1&s=<secret>&c=<code>&id=<server id>&fp=<certificate fingerprint>&u=<further URL>…` (https when HTTPS is on). The fields sit in the fragment, which browsers never send. Opened by the Camera app, the link shows the pairing page, which pairs the browser as a web device; the iClood app reads the same fields (`u` once per further URL in order of preference, `fp` only with HTTPS on, values percent-encoded). Apps also accept the older `iclood://pair?v=1&u=<url>…&s=…&c=…&id=…&fp=…` form.',
    }),
    qrPayloadHttp: Type.Optional(
      Type.String({
        description:
          'Only when HTTPS is on: the same pairing link starting at the plain-HTTP URL (its other URLs, https ones too, follow as `u`). For a phone without the CA profile, where the https link shows a certificate warning: the page it opens explains how to install the profile first (`/api/v1/system/ca.mobileconfig`). Its QR image is `qr.svg?link=http`.',
      }),
    ),
    expiresAt: Timestamp,
  },
  { additionalProperties: false },
);
export type CreatePairingResult = Static<typeof CreatePairingResult>;

export const PairingParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type PairingParams = Static<typeof PairingParams>;

export const PairingQrQuery = Type.Object(
  {
    link: Type.Optional(
      Type.Union([Type.Literal('main'), Type.Literal('http')], {
        description:
          '`http`: the QR code of `qrPayloadHttp` (404 `NOT_FOUND` with HTTPS off); default `main`, of `qrPayload`',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PairingQrQuery = Static<typeof PairingQrQuery>;

export const PairingStatusResult = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: PairingState,
    createdAt: Timestamp,
    expiresAt: Timestamp,
    claimedAt: Type.Union([Timestamp, Type.Null()]),
    device: Type.Union([DeviceSummary, Type.Null()]),
  },
  { additionalProperties: false },
);
export type PairingStatusResult = Static<typeof PairingStatusResult>;

export const RegisterPlatform = Type.Union(
  [Type.Literal('ios'), Type.Literal('cli'), Type.Literal('web'), Type.Literal('other')],
  {
    description:
      '`web`: a browser paired from the pairing page (the QR link opened by the Camera app); its token is set as the httpOnly `iclood_device` cookie and not returned',
  },
);

export const RegisterRequest = Type.Object(
  {
    code: Type.Optional(
      Type.String({ minLength: 1, maxLength: 32, description: 'The manual code, any case, dash optional' }),
    ),
    secret: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'The `s` value of the QR payload' }),
    ),
    deviceName: DeviceName,
    platform: RegisterPlatform,
  },
  { additionalProperties: false },
);
export type RegisterRequest = Static<typeof RegisterRequest>;

export const RegisterResult = Type.Object(
  {
    device: DeviceSummary,
    token: Type.Optional(
      Type.String({
        description:
          'The device token; send it as "Authorization: Bearer <token>". Absent for `platform: "web"`, whose token only the httpOnly `iclood_device` cookie holds, out of reach of page scripts.',
      }),
    ),
    server: Type.Object(
      { id: Type.String({ format: 'uuid' }), name: Type.String() },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type RegisterResult = Static<typeof RegisterResult>;

export const PairingPreviewRequest = Type.Object(
  {
    code: Type.Optional(
      Type.String({ minLength: 1, maxLength: 32, description: 'The manual code, any case, dash optional' }),
    ),
    secret: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'The `s` value of the pairing link' }),
    ),
  },
  { additionalProperties: false },
);
export type PairingPreviewRequest = Static<typeof PairingPreviewRequest>;

export const PairingPreviewResult = Type.Object(
  {
    server: Type.Object(
      { id: Type.String({ format: 'uuid' }), name: Type.String() },
      { additionalProperties: false },
    ),
    forUser: Type.Object(
      { username: Type.String(), displayName: Type.Union([Type.String(), Type.Null()]) },
      { additionalProperties: false, description: 'The household member the paired device will belong to' },
    ),
    expiresAt: Timestamp,
    httpsUrl: Type.Optional(
      Type.String({
        description:
          'Only when asked over plain HTTP while HTTPS is on: the server URL (on the same host when it has one) where the pairing page continues over HTTPS once the CA profile is installed, as `<httpsUrl>/pair#<the same fragment>`',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PairingPreviewResult = Static<typeof PairingPreviewResult>;
