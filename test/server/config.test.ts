import { ConfigError, loadConfig } from '../../server/config.js';

describe('configuration from the environment', () => {
  test('defaults: port 8080, SQLite under ./data', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.store).toEqual({ kind: 'sqlite', dataDir: config.dataDir, synchronous: 'normal' });
    expect(config.dataDir.endsWith('/data')).toBe(true);
  });

  test('mongo needs MONGODB_URL', () => {
    expect(() => loadConfig({ YUNSHU_STORE: 'mongo' })).toThrow(/MONGODB_URL: required/);
    expect(loadConfig({ YUNSHU_STORE: 'mongo', MONGODB_URL: 'mongodb://db:27017/yunshu' }).store).toEqual({
      kind: 'mongo',
      url: 'mongodb://db:27017/yunshu',
    });
  });

  test('every bad variable is named', () => {
    try {
      loadConfig({ PORT: 'eighty', YUNSHU_STORE: 'oracle', REDIS_URL: 'http://x' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT:/m);
      expect(problems).toMatch(/^YUNSHU_STORE:/m);
      expect(problems).toMatch(/^REDIS_URL:/m);
    }
  });

  test('security events are kept at least six months', () => {
    expect(loadConfig({}).eventRetentionDays).toBe(184);
    expect(loadConfig({ YUNSHU_EVENT_RETENTION_DAYS: '365' }).eventRetentionDays).toBe(365);
    expect(() => loadConfig({ YUNSHU_EVENT_RETENTION_DAYS: '30' })).toThrow(
      /^\s*YUNSHU_EVENT_RETENTION_DAYS:/m,
    );
  });
});
