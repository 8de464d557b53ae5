import { AlertStatus } from '../../server/model/alert.js';
import { Severity, Verdict } from '../../server/model/fragments.js';
import { IncidentStatus } from '../../server/model/incident.js';
import { ALERT_STATUSES, INCIDENT_STATUSES, SEVERITIES, VERDICTS } from '../../web/src/api/soc.js';

// The console repeats the server's enums (zod stays out of the bundle); the compiler checks that
// no value is missing, this checks that none is extra and that the order (least to most) matches.
test.each([
  ['severities', SEVERITIES, Severity.options],
  ['alert statuses', ALERT_STATUSES, AlertStatus.options],
  ['incident statuses', INCIDENT_STATUSES, IncidentStatus.options],
  ['verdicts', VERDICTS, Verdict.options],
])('the console lists the same %s as the server model', (_name, console, server) => {
  expect(console).toEqual(server);
});
