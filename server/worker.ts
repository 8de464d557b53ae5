/** A worker process: collectors only, with /healthz and /readyz for the orchestrator. */
import { startProcess } from './run-process.js';

startProcess('worker');
