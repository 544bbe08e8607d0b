// The hub starts with nothing configured, and refuses to start in production without secrets.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('needs nothing to start in development', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, path.resolve('./data'));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.baseUrl, 'http://localhost:3000');
  });

  it('treats empty variables as unset', () => {
    assert.equal(loadConfig({ DATABASE_URL: '', PORT: '' }).databaseUrl, undefined);
  });

  it('refuses to start in production without SESSION_SECRET', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), (e: Error) => e instanceof ConfigError && /SESSION_SECRET: required in production/.test(e.message));
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) });
    assert.equal(config.host, '0.0.0.0');
  });

  it('sizes the SMTP pool (and so the bulletin groups), within limits', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.smtpPoolSize, 10);
    const raised = loadConfig({ SMTP_POOL_SIZE: '20' });
    assert.equal(raised.smtpPoolSize, 20);
    assert.throws(() => loadConfig({ SMTP_POOL_SIZE: '0' }), (e: Error) => /SMTP_POOL_SIZE:/.test(e.message));
    assert.throws(() => loadConfig({ SMTP_POOL_SIZE: '101' }), (e: Error) => /SMTP_POOL_SIZE:/.test(e.message));
  });

  it('sizes the PostgreSQL pool, within limits', () => {
    assert.equal(loadConfig({}).databasePoolSize, 20);
    assert.equal(loadConfig({ DATABASE_POOL_SIZE: '40' }).databasePoolSize, 40);
    assert.throws(() => loadConfig({ DATABASE_POOL_SIZE: '1' }), (e: Error) => /DATABASE_POOL_SIZE:/.test(e.message));
    assert.throws(() => loadConfig({ DATABASE_POOL_SIZE: 'many' }), (e: Error) => /DATABASE_POOL_SIZE:/.test(e.message));
  });

  it('shares each turn among cached public answers, or not at all', () => {
    assert.equal(loadConfig({}).publicReadsPerTurn, 40);
    assert.equal(loadConfig({ PUBLIC_READS_PER_TURN: '0' }).publicReadsPerTurn, 0);
    assert.equal(loadConfig({ PUBLIC_READS_PER_TURN: '100' }).publicReadsPerTurn, 100);
    assert.throws(() => loadConfig({ PUBLIC_READS_PER_TURN: '-1' }), (e: Error) => /PUBLIC_READS_PER_TURN:/.test(e.message));
  });

  it('names each bad variable', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short' }),
      (e: Error) => /PORT:/.test(e.message) && /DATABASE_URL: must be a postgres/.test(e.message) && /SESSION_SECRET: must be at least 32/.test(e.message),
    );
  });
});
