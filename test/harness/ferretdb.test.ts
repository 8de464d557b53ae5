import { existsSync } from 'node:fs';
import mongoose from 'mongoose';
import { startFerretDB } from './ferretdb.js';
import { isRunning } from './process.js';
import { describeWithServices, ferretdbBinary, useService } from './services.js';

describeWithServices('startFerretDB', [ferretdbBinary()], () => {
  const ferret = useService(() => startFerretDB());

  test('stores, finds and indexes documents through mongoose', async () => {
    expect(ferret().url).toBe(`mongodb://127.0.0.1:${ferret().port}/`);
    const connection = await mongoose
      .createConnection(ferret().url, { dbName: 'harness', serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    try {
      const Asset = connection.model(
        'Asset',
        new mongoose.Schema({ name: { type: String, required: true }, zone: String }, { autoIndex: false }),
      );
      await Asset.create({ name: 'gw-01', zone: 'zone-a' });
      const found = await Asset.findOne({ name: 'gw-01' }).lean();
      expect(found?.zone).toBe('zone-a');

      await Asset.collection.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
      const indexes = await Asset.collection.indexes();
      expect(indexes.map((index) => index.name)).toContain('name_unique');
      await expect(Asset.create({ name: 'gw-01', zone: 'zone-b' })).rejects.toMatchObject({ code: 11000 });
    } finally {
      await connection.close();
    }
  });

  test('stop() ends the server and removes its data', async () => {
    const other = await startFerretDB();
    await other.stop();
    // Not the port: another suite's server may have been given it already.
    expect(isRunning(other.pid)).toBe(false);
    expect(existsSync(other.dir)).toBe(false);
  });
});
