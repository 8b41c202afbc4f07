import { describe, it, expect } from '@jest/globals';
import { adminTokenMatches, bearerTokenOf } from './admin-token.js';

describe(bearerTokenOf.name, () => {
  it('takes the token of a bearer header and nothing else', () => {
    expect(bearerTokenOf('Bearer abc123')).toBe('abc123');
    expect(bearerTokenOf('bearer abc123')).toBe('abc123');
    expect(bearerTokenOf('Basic abc123')).toBeUndefined();
    expect(bearerTokenOf('Bearer')).toBeUndefined();
    expect(bearerTokenOf('Bearer two tokens')).toBeUndefined();
    expect(bearerTokenOf(undefined)).toBeUndefined();
  });
});

describe(adminTokenMatches.name, () => {
  it('accepts the exact token only', () => {
    const token = 'a'.repeat(40);
    expect(adminTokenMatches(token, token)).toBe(true);
    expect(adminTokenMatches(`${token}b`, token)).toBe(false);
    expect(adminTokenMatches(token.slice(1), token)).toBe(false);
    expect(adminTokenMatches('', token)).toBe(false);
  });
});
