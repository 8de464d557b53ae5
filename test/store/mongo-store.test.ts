import { MongoStore } from '../../server/store/mongo/mongo-store.js';
import { describeWithServices, ferretdbBinary, useService } from '../harness/services.js';
import { startFerretDB } from '../harness/ferretdb.js';
import { storeConformance } from './conformance.js';

describeWithServices('mongo store on FerretDB', [ferretdbBinary()], () => {
  const ferret = useService(startFerretDB);
  let database = '';
  let n = 0;
  storeConformance('mongo (FerretDB)', {
    async open(collections) {
      database = `conformance_${n++}`;
      return MongoStore.connect({ url: `${ferret().url}${database}`, collections });
    },
    async reopen(collections) {
      return MongoStore.connect({ url: `${ferret().url}${database}`, collections });
    },
  });
});
