import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { ErrorEnvelope, PingData, SuccessEnvelope, withErrorResponses } from '../src/index.js';

describe('the response envelope', () => {
  const PingEnvelope = SuccessEnvelope(PingData);
  const ping = {
    status: 'success',
    data: { name: 'iClood', version: '0.1.0', serverId: '5b1f0a53-52f5-4c1e-9f6a-0a8f0c0d1e2f' },
    message: 'pong',
    timestamp: '2026-11-21T10:00:00.000Z',
  };

  it('accepts a success body and refuses one with extra or missing fields', () => {
    expect(Value.Check(PingEnvelope, ping)).toBe(true);
    expect(Value.Check(PingEnvelope, { ...ping, extra: 1 })).toBe(false);
    expect(Value.Check(PingEnvelope, { ...ping, status: 'error' })).toBe(false);
    const { message: _message, ...withoutMessage } = ping;
    expect(Value.Check(PingEnvelope, withoutMessage)).toBe(false);
  });

  it('describes errors with a code and optional field details', () => {
    const error = {
      status: 'error',
      error: {
        code: 'VALIDATION_FAILED',
        message: 'body/password is required',
        details: [{ field: 'body', message: 'x' }],
      },
      message: 'body/password is required',
      timestamp: '2026-11-21T10:00:00.000Z',
    };
    expect(Value.Check(ErrorEnvelope, error)).toBe(true);
    expect(Value.Check(ErrorEnvelope, { ...error, error: { message: 'no code' } })).toBe(false);
  });

  it('adds the error envelope for every 4xx and 5xx of a route', () => {
    const responses = withErrorResponses({ 200: PingEnvelope });
    expect(Object.keys(responses).sort()).toEqual(['200', '4xx', '5xx']);
    expect(responses['4xx']).toBe(ErrorEnvelope);
  });
});
