import { AlertSchema } from '../../server/model/alert.js';
import { ALERT_STATUSES } from '../../web/src/api/soc.js';
import {
  ALERT_ACTION_PATCH,
  alertActions,
  INCIDENT_ACTION_PATCH,
  incidentActions,
} from '../../web/src/soc/actions.js';
import { examples } from '../model/examples.js';

describe('alert actions', () => {
  test.each([
    ['new', ['acknowledge', 'close_true_positive', 'close_false_positive']],
    ['acknowledged', ['close_true_positive', 'close_false_positive']],
    ['in_progress', ['close_true_positive', 'close_false_positive']],
    ['closed', ['reopen']],
  ] as const)('a %s alert offers %j', (status, actions) => {
    expect(alertActions(status)).toEqual(actions);
  });

  test.each(
    ALERT_STATUSES.flatMap((status) => alertActions(status).map((action) => [status, action] as const)),
  )('a %s alert after %s is still a valid alert (a verdict only with closed)', (status, action) => {
    const alert = { ...examples.alerts(), status, verdict: undefined };
    expect(AlertSchema.safeParse({ ...alert, ...ALERT_ACTION_PATCH[action] }).success).toBe(true);
  });

  test('closing sends the verdict the button names', () => {
    expect(ALERT_ACTION_PATCH.close_false_positive).toEqual({ status: 'closed', verdict: 'false_positive' });
    expect(ALERT_ACTION_PATCH.close_true_positive).toEqual({ status: 'closed', verdict: 'true_positive' });
  });
});

describe('incident actions', () => {
  const close = ['close_true_positive', 'close_false_positive'];
  test.each([
    ['open', ['acknowledge', 'contain', 'resolve', ...close]],
    ['acknowledged', ['contain', 'resolve', ...close]],
    ['contained', ['resolve', ...close]],
    ['resolved', [...close, 'reopen']],
    ['closed', ['reopen']],
  ] as const)('a %s incident moves forward, or reopens once resolved: %j', (status, actions) => {
    expect(incidentActions(status)).toEqual(actions);
  });

  test('each lifecycle action sets the status it names', () => {
    expect(INCIDENT_ACTION_PATCH.contain).toEqual({ status: 'contained' });
    expect(INCIDENT_ACTION_PATCH.close_false_positive).toEqual({
      status: 'closed',
      verdict: 'false_positive',
    });
  });
});
