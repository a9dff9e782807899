import { describe, expect, it } from 'vitest';
import { errorStatusByCode, isErrorCode } from '../src/index.js';

describe('error codes', () => {
  it('map to client or server error statuses only', () => {
    for (const [code, status] of Object.entries(errorStatusByCode)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(status >= 400 && status < 600, code).toBe(true);
    }
  });

  it('use the statuses DESIGN §4 names for the common failures', () => {
    expect(errorStatusByCode.VALIDATION_FAILED).toBe(400);
    expect(errorStatusByCode.TOKEN_EXPIRED).toBe(401);
    expect(errorStatusByCode.SCOPE_REQUIRED).toBe(403);
    expect(errorStatusByCode.ROUTE_NOT_FOUND).toBe(404);
    expect(errorStatusByCode.RATE_LIMITED).toBe(429);
    expect(errorStatusByCode.STORAGE_FULL).toBe(507);
  });

  it('recognises only known codes', () => {
    expect(isErrorCode('TOKEN_REVOKED')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('FST_ERR_CTP_INVALID_JSON_BODY')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});
