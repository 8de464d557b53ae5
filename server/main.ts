/** The app process: API, console and (unless YUNSHU_COLLECT=off) the collectors. */
import { startProcess } from './run-process.js';

startProcess('app');
