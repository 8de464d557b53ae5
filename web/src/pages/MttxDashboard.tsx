import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { getMttx, MTTX_GROUP_BYS, MTTX_METRICS, socKeys, type MttxGroup, type Severity } from '../api/soc';
import { useI18n } from '../i18n/I18nProvider';
import { hashFor } from '../routing/hash';
import { navigate } from '../routing/useHashRoute';
import { DemoMarker } from '../soc/DemoMarker';
import { formatDuration } from '../soc/format';
import { chartRows, groupLabel, rangeWindow, RANGES, readMttxView, type ChartRow } from '../soc/mttx';
import { QueryState } from '../soc/QueryState';

const BAR_COLOURS = { mean: '#0b3d91', p50: '#54aeff', p90: '#fb8f44' } as const;

/**
 * Mean, p50 and p90 of MTTD/MTTA/MTTC/MTTR per group, for the last 24 h / 7 d / 30 d. Loaded
 * lazily: recharts is most of this page's weight and the first screen does not need it.
 */
export default function MttxDashboard({ query }: { query: URLSearchParams }) {
  const { t, locale } = useI18n();
  const { range, groupBy } = readMttxView(query);
  // The window ends when the page was opened (or refreshed), not at every render.
  const [now, setNow] = useState(() => new Date());
  const span = rangeWindow(range, now);
  const mttx = useQuery({
    queryKey: [...socKeys.mttx, groupBy, span],
    queryFn: () => getMttx({ ...span, groupBy }),
  });
  const show = (next: { range?: string; groupBy?: string }) =>
    navigate(hashFor('/mttx', { range, groupBy, ...next }));
  const label = (key: MttxGroup['key']) =>
    groupBy === 'severity' && key.severity ? t(`severity.${key.severity as Severity}`) : groupLabel(key);
  const groups = mttx.data?.groups ?? [];
  return (
    <section>
      <h2>{t('nav.mttx')}</h2>
      <div className="filters">
        <label>
          {t('mttx.range')}
          <select value={range} onChange={(e) => show({ range: e.target.value })} data-testid="mttx-range">
            {Object.keys(RANGES).map((r) => (
              <option key={r} value={r}>
                {t(`mttx.range.${r as keyof typeof RANGES}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('mttx.groupBy')}
          <select
            value={groupBy}
            onChange={(e) => show({ groupBy: e.target.value })}
            data-testid="mttx-group-by"
          >
            {MTTX_GROUP_BYS.map((g) => (
              <option key={g} value={g}>
                {t(`mttx.groupBy.${g}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setNow(new Date())}>
          {t('mttx.refresh')}
        </button>
      </div>
      <QueryState query={mttx} empty={groups.length === 0}>
        <div className="charts">
          {MTTX_METRICS.map((metric) => (
            <figure key={metric} data-testid={`chart-${metric}`}>
              <figcaption>{t(`mttx.metric.${metric}`)}</figcaption>
              <DurationChart rows={chartRows(groups, metric, label)} locale={locale} />
            </figure>
          ))}
        </div>
        <table className="list">
          <thead>
            <tr>
              <th>{t('mttx.group')}</th>
              <th>{t('mttx.count')}</th>
              {MTTX_METRICS.map((metric) => (
                <th key={metric}>{t(`mttx.metric.${metric}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <tr key={JSON.stringify(group.key)}>
                <td>
                  {label(group.key)} <DemoMarker ids={[group.key.tenantId, group.key.clusterId]} />
                </td>
                <td className="number">{group.count}</td>
                {MTTX_METRICS.map((metric) => (
                  <td key={metric}>
                    {group[metric].meanSeconds === null
                      ? '—'
                      : formatDuration(group[metric].meanSeconds, locale)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </QueryState>
    </section>
  );
}

function DurationChart({ rows, locale }: { rows: ChartRow[]; locale: string }) {
  const { t } = useI18n();
  const duration = (value: unknown) => (typeof value === 'number' ? formatDuration(value, locale) : '—');
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="label" />
        <YAxis tickFormatter={duration} width={80} />
        <Tooltip formatter={duration} />
        <Legend />
        {(['mean', 'p50', 'p90'] as const).map((stat) => (
          <Bar key={stat} dataKey={stat} name={t(`mttx.${stat}`)} fill={BAR_COLOURS[stat]} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
