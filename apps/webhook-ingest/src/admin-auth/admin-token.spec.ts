import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminTokenMatches, bearerTokenOf } from './admin-token.js';

describe(bearerTokenOf.name, () => {
  it('takes the token of a bearer header and nothing else', () => {
    assert.equal(bearerTokenOf('Bearer abc123'), 'abc123');
    assert.equal(bearerTokenOf('bearer abc123'), 'abc123');
    assert.equal(bearerTokenOf('Basic abc123'), undefined);
    assert.equal(bearerTokenOf('Bearer'), undefined);
    assert.equal(bearerTokenOf('Bearer two tokens'), undefined);
    assert.equal(bearerTokenOf(undefined), undefined);
  });
});

describe(adminTokenMatches.name, () => {
  it('accepts the exact token only', () => {
    const token = 'a'.repeat(40);
    assert.equal(adminTokenMatches(token, token), true);
    assert.equal(adminTokenMatches(`${token}b`, token), false);
    assert.equal(adminTokenMatches(token.slice(1), token), false);
    assert.equal(adminTokenMatches('', token), false);
  });
});
