import { useMutation, useQueryClient } from '@tanstack/react-query';
import { listRules, setRuleEnabled, socKeys } from '../api/soc';
import { useCan } from '../auth/session';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/I18nProvider';
import { LoadMore } from '../soc/LoadMore';
import { QueryState } from '../soc/QueryState';
import { usePagedList } from '../soc/usePagedList';

/** Detection rules with their hit counts; enabling or disabling one refreshes the list. */
export function RulesPage() {
  const { t, locale } = useI18n();
  const canWrite = useCan('rules:write');
  const queryClient = useQueryClient();
  const { query: rules, items } = usePagedList([...socKeys.rules, 'list'], listRules);
  const toggle = useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => setRuleEnabled(id, enabled),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: socKeys.rules }),
  });
  return (
    <section>
      <h2>{t('rules.heading')}</h2>
      {toggle.isError && (
        <p role="alert" className="error">
          {t('common.actionFailed')}: {toggle.error.message}
        </p>
      )}
      <QueryState query={rules} empty={items.length === 0}>
        <table className="list" data-testid="rules-table">
          <thead>
            <tr>
              <th>{t('field.title')}</th>
              <th>{t('field.level')}</th>
              <th>{t('field.kind')}</th>
              <th>{t('field.enabled')}</th>
              <th>{t('field.hitCount')}</th>
              <th>{t('field.lastHitAt')}</th>
              <th>{t('field.origin')}</th>
              <th>{t('field.tags')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((rule) => (
              <tr key={rule.id} data-testid="rule-row">
                <td>
                  {rule.title}
                  <div className="secondary">{rule.id}</div>
                  {rule.loadError && (
                    <div className="error">
                      {t('rules.loadError')}: {rule.loadError}
                    </div>
                  )}
                </td>
                <td>{rule.level}</td>
                <td>{rule.kind}</td>
                <td>
                  {rule.enabled ? t('rules.on') : t('rules.off')}{' '}
                  {canWrite && (
                    <button
                      type="button"
                      disabled={toggle.isPending}
                      onClick={() => toggle.mutate({ id: rule.id, enabled: !rule.enabled })}
                    >
                      {rule.enabled ? t('rules.disable') : t('rules.enable')}
                    </button>
                  )}
                </td>
                <td className="number">{rule.hitCount}</td>
                <td>{rule.lastHitAt ? formatDateTime(rule.lastHitAt, locale) : '—'}</td>
                <td>{rule.origin}</td>
                <td>{rule.tags.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <LoadMore query={rules} />
      </QueryState>
    </section>
  );
}
